"""Official CMS tables in their published layouts: PTP, MUE, add-on codes, MPFS PC/TC, code sets.

A rule file names them with ``table KIND "path", ... [for institutional claims]
[effective DATE]``. The package's modules:

- a loader per kind (``ptp``, ``mue``, ``addon``, ``mpfs``, ``hcpcs``, ``icd10cm``), with ``common`` (row
  problems rendered like rule errors), ``workbook`` (an ``.xlsx`` read as its CSV export), ``kinds`` (which
  kind a file looks like) and ``store`` (the compact forms of loaded tables);
- ``reading``: :func:`read_table` reads one table statement's files, through two caches keyed by a hash of the
  files' content (and the radrules and loader versions): an in-process LRU (cachetools, behind a lock) and a
  directory of compiled tables on disk (``diskcache``: ``RADRULES_CACHE_DIR``, default the user cache
  directory). A cached table whose key differs from the files' hash is never used;
- ``timeline``: table versions by date of service (which versions judge which claims), and ``bind``, which
  turns a loaded table into what evaluation reads.

What the rest of radrules uses of them is imported here.
"""

from .diskcache import PARSED_KIND, STORED_LAYOUT, NoCacheDir, default_cache_dir, on_disk
from .kinds import KINDS
from .reading import UnwritableFolder, forget_recent, read_table, remembered, unwritable_folders
from .timeline import (ALL_CLAIMS, PTP_LABELS, ROW_KINDS, TABLE_RULES, Loaded, bound_versions, code_sets, dated_by,
                       default_effective, effective_from_names, fiscal_year_end, key_rows, last_day, named_version,
                       payer_scopes, payers_text, serving, setting_in_name, table_size, version_in_name,
                       version_windows, versions)

__all__ = [
    "ALL_CLAIMS", "KINDS", "PARSED_KIND", "PTP_LABELS", "ROW_KINDS", "STORED_LAYOUT", "TABLE_RULES", "Loaded",
    "NoCacheDir", "UnwritableFolder", "bound_versions", "code_sets", "dated_by", "default_cache_dir",
    "default_effective", "effective_from_names", "fiscal_year_end", "forget_recent", "key_rows", "last_day",
    "named_version", "on_disk", "payer_scopes", "payers_text", "read_table", "remembered", "serving",
    "setting_in_name", "table_size", "unwritable_folders", "version_in_name", "version_windows", "versions",
]
