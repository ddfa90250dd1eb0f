-- Every ticket's follow page (/t/{follow_id}): an unguessable id of its own, printed in the
-- ticket's QR code. Not the counters' handle (public_id), which every event stream carries.
ALTER TABLE tickets ADD COLUMN follow_id TEXT;
UPDATE tickets SET follow_id = lower(hex(randomblob(16)));
CREATE UNIQUE INDEX tickets_follow_id ON tickets (follow_id);
