"""Vietnamese number formats: Django's, and digits grouped by three where a template asks
for grouping (`floatformat:"0g"`): 150.000 đồng, as Vietnamese write it. Django's own
Vietnamese formats set the separator but no grouping."""

from django.conf.locale.vi.formats import *  # noqa: F403

NUMBER_GROUPING = 3
