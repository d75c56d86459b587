"""gaussml: the tested code behind the book.

Modules: `univariate`, `mvn`, `highdim`, `regression`, `strd`, `nn`, `derivations`,
`plotting`.
Import the module you need (``from gaussml import univariate``); nothing is
re-exported here so that importing the package stays cheap.
"""

__version__ = "0.1.0"
