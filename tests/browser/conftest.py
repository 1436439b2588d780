from tests.roadmap.conftest import _fresh_public_pages  # noqa: F401 - autouse fixture
