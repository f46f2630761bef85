-- Work-chat robots (WeCom, DingTalk, Feishu) take about 20 messages a minute: before each run the
-- relay counts a robot's attempts of the last 60 seconds (DeliveryBook.claimInOrder). Without this
-- index that count reads the whole delivery history (bench/relay.sh: 141 ms at 1,000,000 rows,
-- per robot and run); with it, only the robot's recent rows.
create index notification_delivery_recent on notification_delivery (subscriber, last_attempt_at);
