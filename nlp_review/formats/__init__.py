"""Records in and out: bibliographic export formats as pure functions.

Contract (used by the import command; the CLI and store never parse files themselves):

- ``parse(data: bytes, name: str) -> ParsedFile``: detect the format from the content (never
  the file name, which is used only in messages), decode (UTF-8 with/without BOM, UTF-16,
  Latin-1 fallback with a warning), and return every record. Raises
  ``nlp_review.errors.InputError`` naming the file, line or record and what is wrong.
- ``ParsedFile``: ``format`` (e.g. "ris", "pubmed-nbib", "pubmed-xml", "endnote-xml",
  "bibtex", "csv", "tsv", "xlsx"), ``records: list[Record]``, ``warnings: list[str]``.
- Writers: ``write_ris(records) -> str`` and ``write_csv(rows) -> str``.
"""
