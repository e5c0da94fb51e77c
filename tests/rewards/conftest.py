import pytest

from tests.rewards.data import build_world


@pytest.fixture
def world(cast):
    """See `tests.rewards.data.build_world`."""
    return build_world(cast)
