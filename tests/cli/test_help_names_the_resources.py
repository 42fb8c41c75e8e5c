"""`help(AppStoreConnect)` names what one does anything with: its three resources."""

from __future__ import annotations

import pydoc

import pytest
from asc_builds import AppStoreConnect, AsyncAppStoreConnect


@pytest.mark.parametrize("client", [AppStoreConnect, AsyncAppStoreConnect])
def test_the_class_help_names_each_resource_with_a_line(client: type) -> None:
    text = pydoc.render_doc(client, renderer=pydoc.TextDoc())
    for attribute in (".builds", ".apps", ".encryption_declarations"):
        (line,) = [line for line in text.splitlines() if f"- `{attribute}`:" in line]
        assert len(line.split(":", 1)[1].strip()) > 10, line
