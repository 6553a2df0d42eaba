"""Geocode: the gazetteer (build, index, GeoNames import), the resolver with document focus, and the geoparse command.

Nothing is imported here: import the module you need."""
