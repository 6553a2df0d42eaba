"""Gazetteer index, place matching and disambiguation. (Interface; implementation in progress.)

Public interface used by the rest of the pipeline (keep these signatures):

    Geocoder.load(settings) -> Geocoder
    Geocoder.place_names() -> Iterable[tuple[str, str]]      # (surface name, "GPE"/"LOC") for the entity ruler
    Geocoder.focus(toponyms: Sequence[PlaceMention], text: str) -> DocFocus
    Geocoder.resolve(mention: PlaceMention, focus: DocFocus) -> GeoMatch | None
"""
