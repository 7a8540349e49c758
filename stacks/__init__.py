"""From a resolved blueprint to a Pulumi stack, and running it.

``stacks`` builds the Pulumi program of one environment from its blueprint
(spec -> blueprint -> components) and runs it three ways: offline under
Pulumi's mock runtime (``scaffold plan``), as a standalone Pulumi project
written to disk (``scaffold generate``), and for real through the Pulumi
Automation API (``scaffold deploy``, ``preview``, ``destroy``, ``refresh``,
``outputs``).
"""
