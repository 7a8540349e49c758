"""Load Balanced Web Service and Backend Service → ``api`` (``public: true`` / ``public: false``).

Reference: aws/copilot-cli ``site/content/docs/manifest/lb-web-service.en.md`` and
``backend-service.en.md``; the ``http`` section: ``site/content/docs/include/http-config.en.md``.
Copilot puts every Load Balanced Web Service of an environment behind one shared load balancer
and routes by ``http.path``; scaffold gives each ``api`` its own, so the path is reported.
"""

from __future__ import annotations

import re
from typing import Any

from scaffold.importers.copilot.workloads.conv import Conv, go_duration
from scaffold.importers.copilot.yamlsource import Located, Origin

#: ``http`` keys of Copilot's reference that have no scaffold field, with why.
HTTP_LEFT_OUT = {
    "target_container": "a sidecar as the load balancer's target is not kept: scaffold sends traffic to the one "
                        "container, on `port`",
    "target_port": "the load balancer's target port is `port` in scaffold",
    "stickiness": "sticky sessions are not kept",
    "allowed_source_ips": "restricting the load balancer to source IPs is not kept: a public api takes traffic "
                          "from the internet (behind AWS WAF in production)",
    "redirect_to_https": "with a `domain`, scaffold always redirects HTTP to HTTPS",
    "deregistration_delay": "the target group's deregistration delay is not kept (the ALB's default, 300s)",
    "version": "the protocol version (gRPC, HTTP/2) is not kept: the load balancer speaks HTTP/1.1 to targets",
    "additional_rules": "more listener rules (paths, aliases, containers) are not kept: one api serves one "
                        "container behind its own load balancer",
    "hosted_zone": "a hosted zone ID is not kept: scaffold finds the Route 53 zone by name (`zone`, default "
                   "the domain minus its first label)",
    "private": "the internal load balancer of a Backend Service has no settings in scaffold",
}
HTTP_KEYS = {"path", "healthcheck", "alias", *HTTP_LEFT_OUT}


def http(conv: Conv, data: Located) -> None:
    """``http`` → ``health_check``, ``health_check_grace_period`` and ``domain``."""
    raw = data["http"]
    origin = data.at("http")
    if raw is None or raw is True:
        return
    if raw is False:
        if conv.type == "Load Balanced Web Service":
            conv.left_out(origin, "http", "`http: false` (no Application Load Balancer) is not kept: a scaffold "
                          "api always has one")
        return
    if not isinstance(raw, Located):
        conv.wrong_type(origin, "http", "a mapping", raw)
        return
    conv.unknown(raw, HTTP_KEYS, "http.", "lb-web-service" if conv.type.startswith("Load") else "backend-service")
    for key, why in HTTP_LEFT_OUT.items():
        if key in raw:
            conv.left_out(raw.at(key), f"http.{key}", why)
    if "path" in raw:
        path = raw["path"]
        if not (isinstance(path, str) and path.strip().strip("/") == ""):
            conv.left_out(raw.at("path"), "http.path",
                          f"path routing (`{path}`) is not kept: Copilot shared one load balancer among the "
                          "environment's services and sent this path here; scaffold gives each api its own load "
                          "balancer, which sends every path to it. Serve the app from `/`, or route in front of it")
    if "healthcheck" in raw:
        _health_check(conv, raw)
    if "alias" in raw:
        _alias(conv, raw)


def _health_check(conv: Conv, raw: Located) -> None:
    from blueprints.api.settings import HEALTH_CHECK_PATTERN

    value = raw["healthcheck"]
    origin = raw.at("healthcheck")
    path: Any = value
    if isinstance(value, Located):
        path = value.get("path")
        origin = value.at("path") if "path" in value else origin
        if "grace_period" in value:
            seconds = go_duration(value["grace_period"])
            if seconds is None:
                conv.wrong_type(value.at("grace_period"), "http.healthcheck.grace_period", "a duration", value["grace_period"])
            else:
                from scaffold.spec.units import format_duration

                conv.fields["health_check_grace_period"] = format_duration(int(seconds))
        for key in sorted(set(value) - {"path", "grace_period"}, key=lambda k: value.key_lines.get(k, 0)):
            conv.left_out(value.at(key), f"http.healthcheck.{key}",
                          "the target group's health check thresholds, interval, timeout, codes and port are "
                          "scaffold's own (200-399 on the service port)")
        if path is None:
            return
    if not isinstance(path, str):
        conv.wrong_type(origin, "http.healthcheck", "a path", path)
        return
    expanded = conv.text(path.strip(), origin, "http.healthcheck")
    if expanded is None:
        return
    text = expanded
    if not text.startswith("/"):
        text = "/" + text
    if not re.fullmatch(HEALTH_CHECK_PATTERN, conv.example(text)):
        conv.left_out(origin, "http.healthcheck", f"`{path}` is not a path the load balancer can check")
        return
    conv.fields["health_check"] = text


def _alias(conv: Conv, raw: Located) -> None:
    """``http.alias`` (a string, a list of strings, or of ``{name, hosted_zone}``) → ``domain``: the
    first; scaffold serves one name per api."""
    value = raw["alias"]
    origin = raw.at("alias")
    names: list[tuple[str, Origin]] = []
    for item in value if isinstance(value, list) else [value]:
        if isinstance(item, Located):
            if "hosted_zone" in item:
                conv.left_out(item.at("hosted_zone"), "http.alias.hosted_zone", HTTP_LEFT_OUT["hosted_zone"])
            item = item.get("name")
        if isinstance(item, str) and item.strip():
            names.append((item.strip(), origin))
        else:
            conv.wrong_type(origin, "http.alias", "a domain name", item)
    if not names:
        return
    first = _domain(conv, *names[0])
    if first is not None:
        conv.fields["domain"] = first
    if len(names) > 1:
        rest = ", ".join(f"`{n}`" for n, _ in names[1:])
        conv.left_out(origin, "http.alias", f"scaffold serves one domain per api (`{names[0][0]}`); {rest} not "
                      "kept: point them at the first with a CNAME or a redirect")


def _domain(conv: Conv, name: str, origin: Origin) -> str | None:
    from scaffold.spec.kinds.api import DOMAIN_PATTERN

    text = conv.text(name, origin, "http.alias")
    if text is None:
        return None
    text = _lower(text).rstrip(".")
    conv.domain_variables(text)
    if not re.fullmatch(DOMAIN_PATTERN, conv.example(text)):
        conv.left_out(origin, "http.alias", f"`{name}` is not a domain name scaffold can serve")
        return None
    return text


def _lower(text: str) -> str:
    """``text`` in lower case, except the ``${NAME}`` variables it reads."""
    from scaffold.importers.copilot.context import VARIABLE

    out, i = [], 0
    for m in VARIABLE.finditer(text):
        out += [text[i:m.start()].lower(), m[0]]
        i = m.end()
    return "".join(out) + text[i:].lower()


def no_port(conv: Conv, data: Located) -> None:
    """A Backend Service without ``image.port`` listens on nothing; an api must."""
    image = data.get("image")
    if isinstance(image, Located) and "port" in image:
        return
    conv.decide(data.at("image") if "image" in data else data.origin, "image.port",
                "the service has no port: Copilot gave it no load balancer, but a scaffold api listens on `port` "
                "(8080 by default) behind an internal load balancer that checks `health_check` (`/`): a container "
                "that serves nothing there is replaced again and again. Serve the health check, or make it a "
                "worker (with a queue) or a job")
