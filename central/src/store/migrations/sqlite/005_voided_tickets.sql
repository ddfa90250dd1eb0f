-- A kiosk gives back a number nobody holds (a ticket the printer refused, an answer lost on the
-- way): the ticket keeps its number but is neither waiting nor called.
ALTER TABLE tickets ADD COLUMN voided_at TEXT;
ALTER TABLE tickets ADD COLUMN void_reason TEXT;
