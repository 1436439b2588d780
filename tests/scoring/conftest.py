import pytest


@pytest.fixture(autouse=True)
def _fresh_similarity_caches():
    """Document frequencies are cached per process; each test starts from its own database."""
    from intake.duplicates import lexical

    lexical.forget_frequencies()
    yield
