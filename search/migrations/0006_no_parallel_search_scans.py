"""No parallel scans of the search table.

Every statement on it wants a few hundred or thousand rows (LIMIT) or an index look-up; for a
common word the planner chose a parallel sequential scan, where each of the three processes reads
ahead on its own: 12,600 rows read at 1M documents to return the 1,001 the count cap asks for,
against about 5,000 for one process, and two more processes on a busy database server. Set on
the table, so no search pays a round trip for a per-statement setting.
"""

from django.db import migrations


class Migration(migrations.Migration):
    dependencies = [
        ("search", "0005_year_bucket_indexes"),
    ]

    operations = [
        migrations.RunSQL(
            "ALTER TABLE search_searchdocument SET (parallel_workers = 0)",
            "ALTER TABLE search_searchdocument RESET (parallel_workers)",
        )
    ]
