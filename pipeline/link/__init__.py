"""Cross-article event groups: claims from different articles that report the same real-world event.

``groups.link_events(events) -> events`` fills ``event_group`` and ``link_reason`` over a whole events
table (pure: no file access); ``rules`` says when two claims are compatible, ``blocking`` finds the
candidate pairs without comparing every claim with every other.
"""
