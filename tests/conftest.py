"""Settings shared by every test module."""

from hypothesis import settings

# No timing asserts: hypothesis' default deadline (200 ms an example) fails a property test
# whose first example loads a compiled kernel on a busy machine (seen in CI: 252 ms, then
# 0.03 ms). Tests that set their own settings keep this deadline unless they change it.
settings.register_profile("orgsim", deadline=None)
settings.load_profile("orgsim")
