"""Writers: the validated model back to an input file (workbook or YAML)."""
