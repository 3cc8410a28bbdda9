"""The leaders' view of a district or a ward: where reports gather (heat maps), which wards,
departments and officers fall behind (figures), drilled down to the cases.

It composes the reports and dossiers apps and reads them through `urbanmgmt.policy` only:
`services` (figures), `heat` (cached heat surfaces, recomputed in the background), `charts`
(the monthly trend as SVG and PNG), `exports` (CSV, GeoPackage), `views` and `urls`.
"""
