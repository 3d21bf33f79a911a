"""pacm: a rules engine for the Paris Agreement Article 6.4 mechanism (PACM)."""

__version__ = "0.1.0"
