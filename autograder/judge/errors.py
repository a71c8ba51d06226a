"""How a check says that a property does not hold (Fail) or that data is not what the probe sends."""


class Fail(Exception):
    """A property does not hold; the message is shown to the student."""


class Malformed(Exception):
    """The observation does not have the shape the probe produces."""


def expect(condition, message):
    if not condition:
        raise Fail(message)
