-- Mail intake (D-12): which mailbox messages were taken, so none is processed twice, across
-- restarts and across instances sharing this database. The layout is the one Camel's
-- JdbcMessageIdRepository (camel-sql) reads and writes: its queries use the unquoted name
-- CAMEL_MESSAGEPROCESSED (folded to lower case by PostgreSQL) and the columns processorName,
-- messageId, createdAt. messageId is text because a Message-ID may exceed Camel's default 100.
create table camel_messageprocessed (
    processorname varchar(255) not null,             -- the consumer, 'dangan-mail'
    messageid     text         not null,             -- the mail's Message-ID (or Camel's generated key)
    createdat     timestamp    not null,
    primary key (processorname, messageid)
);
