"""Excel as offices use it: the ledger's columns and cells (the workbook bytes are read by uploads/)."""
