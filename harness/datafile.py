"""The project's data files (expect/, lkml/): one entry a line with its reason after a
" #" (or another separator), blank lines and lines that start with "#" left out."""


def entries(path, sep=' #'):
    """(line number, entry, reason) for each entry of the file at path."""
    with open(path) as f:
        for no, line in enumerate(f, 1):
            body, _, reason = line.partition(sep)
            body = body.strip()
            if body and not body.startswith('#'):
                yield no, body, reason.strip()
