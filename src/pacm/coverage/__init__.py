"""What the rule pack covers: :mod:`.matrix` (the coverage matrix of the standards' requirements) and
:mod:`.cases` (the YAML rule cases that test each rule). The command is :mod:`pacm.cli.coverage`."""
