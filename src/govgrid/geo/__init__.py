"""Geography: coordinate systems, polygons, the point→grid index, GeoJSON validation, demo partition."""
