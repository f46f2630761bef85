-- The sealed archives (D-32), by an index of their own (issue 14). Every file with matched lines holds those
-- that matched a sealed archive (sql/merge/hold-sealed.sql); without this index the statement read every archive
-- to find the few sealed ones (1,000,000 archives: 0.35–1.3 s a file). Sealed archives are few, so the index is small.
create index customer_sealed on customer (id) where sealed_at is not null;
