"""Small SVG charts drawn on the server: no chart library, no script, colours from the page's CSS."""

from __future__ import annotations

from datetime import date, timedelta

from flask_babel import format_date, format_decimal, gettext as _, ngettext
from markupsafe import Markup, escape

from companion.i18n import one_decimal, weekday_names, when

WIDTH = 320
WEEKDAYS = ["Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun"]
MONDAY = date(2024, 1, 1)  # a Monday, to name weekdays in the reader's language


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


def panel_chart(name: str, title: str, desc: str, panels: list[tuple[str, list[float | None], float, float, int]],
                first: str, last: str, panel_height: int = 86) -> Markup:
    """Lines over days in stacked panels, each on its own scale with its axis and ticks (mood 1–5 above,
    craving 0–10 below), sharing one date axis; days without a value leave a gap."""
    left, right, gap, label_row = 30, 6, 26, 20
    height = len(panels) * (panel_height + gap) + label_row
    body: list[str] = []
    for index, (label, values, low, high, tick_step) in enumerate(panels):
        top = index * (panel_height + gap) + 18
        body.append(f'<text class="chart-title" x="{left}" y="{top - 6}">{escape(label)}</text>')

        def y_of(value: float) -> float:
            return top + panel_height - panel_height * (value - low) / (high - low)

        tick = low
        while tick <= high:
            y = y_of(tick)
            body.append(f'<line class="chart-grid" x1="{left}" y1="{y:.1f}" x2="{WIDTH - right}" y2="{y:.1f}"/>')
            body.append(f'<text class="chart-label" x="{left - 5}" y="{y + 4:.1f}" text-anchor="end">{tick:g}</text>')
            tick += tick_step
        body.append(f'<line class="chart-axis" x1="{left}" y1="{top}" x2="{left}" y2="{top + panel_height}"/>')
        step = (WIDTH - left - right) / max(len(values) - 1, 1)
        segments, points = [], []
        for i, value in enumerate(values):
            if value is None:
                if points:
                    segments.append(points)
                points = []
                continue
            points.append(f"{left + i * step:.1f},{y_of(value):.1f}")
        if points:
            segments.append(points)
        for segment in segments:
            if len(segment) == 1:
                x, y = segment[0].split(",")
                body.append(f'<circle class="chart-line-{index}" cx="{x}" cy="{y}" r="3"/>')
            else:
                body.append(f'<polyline class="chart-line-{index}" points="{" ".join(segment)}"/>')
    body.append(f'<text class="chart-label" x="{left}" y="{height - 4}">{escape(first)}</text>')
    body.append(f'<text class="chart-label" x="{WIDTH - right}" y="{height - 4}" text-anchor="end">{escape(last)}</text>')
    return _svg(name, title, desc, height, body)


def _window(by_hour: list[int], width: int) -> tuple[int, int]:
    """The ``width`` hours in a row (round midnight too) holding the most cravings: (first hour, count)."""
    best = max(range(24), key=lambda start: (sum(by_hour[(start + i) % 24] for i in range(width)), -start))
    return best, sum(by_hour[(best + i) % 24] for i in range(width))


def _mean(values: list[float]) -> float | None:
    return sum(values) / len(values) if values else None


def sentences(data: dict, trigger_labels: dict[str, str]) -> list[str]:
    """What the period's entries say, in plain sentences, before any chart (only what the numbers support)."""
    said: list[str] = []
    cravings = data["cravings"]
    if cravings >= 3:
        start, count = _window(data["by_hour"], 6)
        if count * 2 >= cravings:
            said.append(_("Most of your cravings come between %(start)s and %(end)s.",
                          start=hour_name(start), end=hour_name((start + 6) % 24)))
        weekday = max(range(7), key=lambda d: data["by_weekday"][d])
        if data["by_weekday"][weekday] >= 2 and data["by_weekday"][weekday] >= 1.5 * cravings / 7:
            said.append(_("%(day)s is when cravings come most often.", day=format_date(MONDAY + timedelta(days=weekday), "EEEE")))
    if data["top_triggers"]:
        top = data["top_triggers"][0]
        said.append(ngettext("Your most common trigger: %(trigger)s (%(num)d time).",
                             "Your most common trigger: %(trigger)s (%(num)d times).",
                             top["count"], trigger=trigger_labels[top["code"]]))
    rated = [skill for skill in data["skills"] if skill["mean_helped"]]
    if rated:
        best = rated[0]
        said.append(_("%(skill)s helped you most: %(score)s out of 5.", skill=best["name"],
                      score=format_decimal(best["mean_helped"], "0.#")))
    trend = data["trend"]
    half = len(trend) // 2
    if half >= 3:
        before = _mean([d["mean_intensity"] for d in trend[:half] if d["mean_intensity"] is not None])
        after = _mean([d["mean_intensity"] for d in trend[half:] if d["mean_intensity"] is not None])
        if before is not None and after is not None and before - after >= 1:
            said.append(_("Your cravings have been less strong lately than earlier in this period."))
        mood_before = _mean([d["mood"] for d in trend[:half] if d["mood"] is not None])
        mood_after = _mean([d["mood"] for d in trend[half:] if d["mood"] is not None])
        if mood_before is not None and mood_after is not None and mood_after - mood_before >= 0.5:
            said.append(_("Your mood has been lifting lately."))
    return said


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
        "trend": panel_chart("trend", _("Mood and craving over time"), trend_desc,
                             [(_("Mood from check-ins (1–5)"), mood, 1, 5, 1),
                              (_("Average craving (0–10)"), craving, 0, 10, 5)],
                             when(first, "%-d %b"), when(last, "%-d %b")),
    }
