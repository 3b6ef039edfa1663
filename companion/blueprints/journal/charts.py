"""Small SVG charts drawn on the server: no chart library, no script, colours from the page's CSS."""

from __future__ import annotations

from flask_babel import gettext as _, ngettext
from markupsafe import Markup, escape

from companion.i18n import one_decimal, weekday_names, when

WIDTH = 320


def _svg(name: str, title: str, desc: str, height: int, body: list[str]) -> Markup:
    head = (f'<svg class="chart" viewBox="0 0 {WIDTH} {height}" role="img" '
            f'aria-labelledby="{name}-title {name}-desc" preserveAspectRatio="xMidYMid meet">'
            f'<title id="{name}-title">{escape(title)}</title><desc id="{name}-desc">{escape(desc)}</desc>')
    return Markup(head + "".join(body) + "</svg>")


def bar_chart(name: str, title: str, desc: str, values: list[float], labels: list[str], *,
              label_every: int = 1, height: int = 150) -> Markup:
    """Vertical bars, one per value, with labels below."""
    top, bottom, left = 10, 22, 4
    plot = height - top - bottom
    peak = max(values) if values and max(values) > 0 else 1
    slot = (WIDTH - left * 2) / max(len(values), 1)
    body = [f'<line class="chart-axis" x1="{left}" y1="{top + plot}" x2="{WIDTH - left}" y2="{top + plot}"/>']
    for i, value in enumerate(values):
        h = plot * value / peak
        x = left + i * slot
        if value:
            body.append(f'<rect class="chart-bar" x="{x + slot * 0.15:.1f}" y="{top + plot - h:.1f}" '
                        f'width="{slot * 0.7:.1f}" height="{h:.1f}" rx="2"/>')
        if i % label_every == 0:
            body.append(f'<text class="chart-label" x="{x + slot / 2:.1f}" y="{height - 6}" '
                        f'text-anchor="middle">{escape(labels[i])}</text>')
    most = _("max %(peak)s", peak=f"{peak:g}")
    body.append(f'<text class="chart-label" x="{WIDTH - left}" y="{top + 2}" text-anchor="end">{escape(most)}</text>')
    return _svg(name, title, desc, height, body)


def hbar_chart(name: str, title: str, desc: str, items: list[tuple[str, float, str]]) -> Markup:
    """Horizontal bars: a label, the bar, and the value as text."""
    row = 28
    height = max(row * len(items), row) + 4
    peak = max((value for _, value, _ in items), default=0) or 1
    body = []
    for i, (label, value, shown) in enumerate(items):
        y = 2 + i * row
        length = (WIDTH - 150) * value / peak
        body.append(f'<text class="chart-label" x="0" y="{y + 18}">{escape(label[:22])}</text>')
        body.append(f'<rect class="chart-bar" x="120" y="{y + 6}" width="{max(length, 2):.1f}" height="16" rx="2"/>')
        body.append(f'<text class="chart-label" x="{124 + length:.1f}" y="{y + 18}">{escape(shown)}</text>')
    return _svg(name, title, desc, height, body)


def line_chart(name: str, title: str, desc: str, series: list[tuple[str, list[float | None], float]],
               first: str, last: str, height: int = 150) -> Markup:
    """Lines over days, each series scaled to its own maximum; days without a value leave a gap."""
    top, bottom, left = 10, 22, 4
    plot = height - top - bottom
    body = [f'<line class="chart-axis" x1="{left}" y1="{top + plot}" x2="{WIDTH - left}" y2="{top + plot}"/>']
    for index, (_, values, peak) in enumerate(series):
        step = (WIDTH - left * 2) / max(len(values) - 1, 1)
        points: list[str] = []
        segments: list[list[str]] = []
        for i, value in enumerate(values):
            if value is None:
                if points:
                    segments.append(points)
                points = []
                continue
            points.append(f"{left + i * step:.1f},{top + plot - plot * value / peak:.1f}")
        if points:
            segments.append(points)
        for segment in segments:
            if len(segment) == 1:
                x, y = segment[0].split(",")
                body.append(f'<circle class="chart-line-{index}" cx="{x}" cy="{y}" r="3"/>')
            else:
                body.append(f'<polyline class="chart-line-{index}" points="{" ".join(segment)}"/>')
    body.append(f'<text class="chart-label" x="{left}" y="{height - 6}">{escape(first)}</text>')
    body.append(f'<text class="chart-label" x="{WIDTH - left}" y="{height - 6}" text-anchor="end">{escape(last)}</text>')
    return _svg(name, title, desc, height, body)


def _busiest(values: list[int], names: list[str]) -> str:
    if not any(values):
        return _("No cravings were logged in this period.")
    peak = max(values)
    return _("Most cravings: %(when)s (%(peak)s).", when=", ".join(names[i] for i, v in enumerate(values) if v == peak),
             peak=peak)


def hour_name(hour: int) -> str:
    """An hour of the day, "3 pm" as the page's language says it."""
    return _("%(hour)s am", hour=hour % 12 or 12) if hour < 12 else _("%(hour)s pm", hour=hour % 12 or 12)


def insight_charts(data: dict, trigger_labels: dict[str, str]) -> dict[str, Markup]:
    """Every chart of the insights page, each with a text alternative."""
    hours = [hour_name(h) for h in range(24)]
    triggers = [(trigger_labels[t["code"]], t["count"], str(t["count"])) for t in data["top_triggers"][:8]]
    skills = [(s["name"], s["mean_helped"] or 0, one_decimal(s["mean_helped"]) if s["mean_helped"] else _("not rated"))
              for s in data["skills"][:8]]
    trend = data["trend"]
    mood = [day["mood"] for day in trend]
    craving = [day["mean_intensity"] for day in trend]
    rated_moods = [m for m in mood if m is not None]
    rated_cravings = [c for c in craving if c is not None]
    moods = (ngettext("Mood checked in on %(num)s day, averaging %(mean)s of 5.",
                      "Mood checked in on %(num)s days, averaging %(mean)s of 5.", len(rated_moods),
                      mean=one_decimal(sum(rated_moods) / len(rated_moods))) if rated_moods
             else _("Mood checked in on no day."))
    cravings = (ngettext("Cravings logged on %(num)s day, averaging %(mean)s of 10.",
                         "Cravings logged on %(num)s days, averaging %(mean)s of 10.", len(rated_cravings),
                         mean=one_decimal(sum(rated_cravings) / len(rated_cravings))) if rated_cravings
                else _("Cravings logged on no day."))
    trend_desc = f"{moods} {cravings}"
    weekdays = weekday_names("abbreviated")
    first, last = trend[0]["date"], trend[-1]["date"]
    return {
        "hours": bar_chart("by-hour", _("Cravings by hour of day"), _busiest(data["by_hour"], hours),
                           data["by_hour"], [str(h) for h in range(24)], label_every=3),
        "weekdays": bar_chart("by-weekday", _("Cravings by day of the week"), _busiest(data["by_weekday"], weekdays),
                              data["by_weekday"], weekdays),
        "triggers": hbar_chart("triggers", _("Top triggers"),
                               "; ".join(f"{label}: {shown}" for label, _count, shown in triggers)
                               or _("No triggers logged."), triggers),
        "skills": hbar_chart("skills", _("Skills by how much they helped (1–5)"),
                             "; ".join(f"{label}: {shown}" for label, _score, shown in skills)
                             or _("No skills logged."), skills),
        "trend": line_chart("trend", _("Mood and craving over time"), trend_desc,
                            [(_("Mood (1–5)"), mood, 5), (_("Craving (0–10)"), craving, 10)],
                            when(first, "%-d %b"), when(last, "%-d %b")),
    }
