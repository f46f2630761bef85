-- Issue 12: where a change came from (change_log.source: "撤销导入 #12", "更正请求 #3", "销毁建议 #7 第 1 行") is a text
-- people read, written in the configured language (bundle area "records") like the reason beside it. A revert's own
-- restorations were told apart by their English source ('ingest revert #N'); they now say which ingest they undo here,
-- a number a machine reads whatever the language. Rows written before keep their English source (and are still
-- recognised by it).
alter table change_log add column reverts_ingest_id bigint;
