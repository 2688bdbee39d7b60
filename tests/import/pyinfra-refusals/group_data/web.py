import collections  # an import is not data (pyinfra leaves it out)


class Endpoint:
    pass


endpoint = Endpoint()
ordered = collections.OrderedDict(a=1)
frozen = frozenset([1])
huge = 2**64
tuple_ok = ("a", ("b", 1))


def helper():
    return 1
