-- A pending offer withdrawn because its volunteer may no longer help (staff un-vetted them; later
-- also a deactivated account) is an event of its own: the request's resident and staff see it, and
-- the next candidate gets an offer as after a decline or an expiry.
ALTER TABLE events DROP CONSTRAINT events_kind_check;
ALTER TABLE events ADD CONSTRAINT events_kind_check CHECK (kind IN (
    'RECEIVED', 'TRIAGED', 'ESCALATED', 'REVIEWED', 'OFFERED', 'OFFER_DECLINED', 'OFFER_EXPIRED',
    'OFFER_WITHDRAWN', 'RETURNED_TO_REVIEW', 'MATCHED', 'COMPLETED', 'CANCELLED', 'CLOSED'));
