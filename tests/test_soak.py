"""The soak bench's delivery accounting (bench.soak.account) can say "lost" and "twice"."""

from bench.soak import Delivery, account


def test_every_event_on_time() -> None:
    delivery = account([{1, 2, 3}, {2}], [[1, 2, 3], [2]], [3, 1])
    assert delivery == Delivery(expected=4, by_load_end=4, after_drain=0, missing=0, duplicated=0)
    assert delivery.ok


def test_late_events_count_as_delivered_after_drain_not_lost() -> None:
    # Subscriber 0 had only event 1 when the load stopped; 2 and 3 came during the drain.
    delivery = account([{1, 2, 3}], [[1, 3, 2]], [1])
    assert (delivery.by_load_end, delivery.after_drain, delivery.missing) == (1, 2, 0)
    assert delivery.ok


def test_an_event_never_received_is_lost() -> None:
    delivery = account([{1, 2, 3}, {4, 5}], [[1, 3], [5]], [2, 0])
    assert (delivery.expected, delivery.missing, delivery.after_drain) == (5, 2, 1)
    assert not delivery.ok


def test_a_copy_is_a_duplicate_even_when_nothing_is_missing() -> None:
    # Event 2 arrives before the load stops and again during the drain (a catch-up replay).
    delivery = account([{1, 2}], [[1, 2, 2]], [2])
    assert (delivery.missing, delivery.duplicated, delivery.after_drain) == (0, 1, 0)
    assert not delivery.ok


def test_events_for_others_do_not_count_as_delivered() -> None:
    # Subscriber 0 got event 9 (not its own) instead of 2: 2 is still missing.
    delivery = account([{1, 2}], [[1, 9]], [2])
    assert delivery.missing == 1
    assert not delivery.ok


def test_what_a_broken_subscriber_missed_is_counted_apart() -> None:
    delivery = account([{1, 2}, {1, 2}], [[1], [2]], [1, 1], [True, False])
    assert (delivery.missing, delivery.missing_on_broken) == (2, 1)
    assert not delivery.ok
