-- Notifications issue: what the outbox sender needs beyond 0001.
-- send_started_at  set in its own statement immediately before the gateway is called;
--                  a reclaimed 'sending' row without it was certainly never handed to
--                  WhatsApp and is safely requeued; with it (and no wa_message_id) the
--                  delivery is unknown and the row is not resent automatically.
ALTER TABLE outbox ADD COLUMN send_started_at TIMESTAMPTZ;

-- Per-recipient FIFO: the claim query looks for an older unfinished row of the same recipient.
CREATE INDEX outbox_recipient_open_idx ON outbox (recipient, id) WHERE status IN ('pending', 'sending');
