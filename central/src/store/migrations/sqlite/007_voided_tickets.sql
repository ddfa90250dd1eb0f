-- A kiosk gives back a number nobody holds (a ticket the printer refused, an answer lost on the
-- way): the ticket keeps its number, its status becomes 'voided' (not waiting, never called).
ALTER TABLE tickets ADD COLUMN voided_at TEXT;
ALTER TABLE tickets ADD COLUMN void_reason TEXT;
