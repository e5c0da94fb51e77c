"""The open data as a read-only JSON API under /api/v1/ (issue 24): one list per dataset of
`portal.public.opendata.DATASETS`, with the files' filters, pages of rows, and an OpenAPI 3
schema generated from the datasets' columns, so a new dataset or column appears in the API
and its schema without code here. Django REST framework with drf-spectacular
(docs/decisions/0009-open-data-api.md); every response goes through the public page cache
(`public_page`: per published run, ETag and 304, the public rate limits)."""
