-- Events by offer: a resumed offerReceived replays the OFFERED events of one volunteer's offers
-- (offers by volunteer, then their events), and deleting an offer cascades to its events.
CREATE INDEX events_offer_idx ON events (offer_id) WHERE offer_id IS NOT NULL;
