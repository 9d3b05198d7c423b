"""Reports: a pure model built from stored visits, rendered to PDF/printer (Qt) and CSV."""
