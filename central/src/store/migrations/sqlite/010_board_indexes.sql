-- The board (every service's issued, waiting and now-serving numbers) is read again in every
-- issuing transaction. Its counts come from the index alone (status and service next to the
-- office day), and the number being served from the few tickets already called, so neither
-- reads every ticket of the day.
DROP INDEX tickets_by_status;
CREATE INDEX tickets_by_status ON tickets (office_id, office_day, status, service_id);
CREATE INDEX tickets_last_called ON tickets (office_id, service_id, office_day, last_called_at)
    WHERE last_called_at IS NOT NULL;
