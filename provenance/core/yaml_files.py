"""Reading the YAML that users and the package declare: rules and metric vocabularies."""

from __future__ import annotations

from typing import Any


def load_yaml(text: str) -> Any:
    """``yaml.safe_load``, through libyaml's parser where PyYAML was built with it.

    The same documents and the same exceptions (``yaml.YAMLError``, with ``problem`` and
    ``problem_mark``; libyaml words some problems its own way), about ten times faster: the
    packaged metric vocabulary is read at every start of ``validate`` and ``append``, and the
    rules at every ``validate``.
    """
    import yaml

    return yaml.load(text, Loader=getattr(yaml, "CSafeLoader", yaml.SafeLoader))
