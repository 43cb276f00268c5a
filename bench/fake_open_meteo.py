#!/usr/bin/env python3
"""A stand-in for Open-Meteo's geocoding and forecast APIs, for bench/weather.sh.

It answers GET /v1/search and GET /v1/forecast with documents shaped like the real ones
(the columns Groundwork asks for, as many days and hours as asked), so the weather service
can fill its cache without internet access. Only the first request of each cache key
reaches it during a benchmark, so it is written for clarity, not speed.

Usage: bench/fake_open_meteo.py PORT
"""
import json
import sys
from datetime import datetime, timedelta
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qs, urlparse

START = datetime(2026, 11, 21)


def series(length, base):
    return [round(base + i * 0.1, 1) for i in range(length)]


def search(query):
    name = query.get("name", ["London"])[0]
    return {
        "results": [{
            "id": 2643743, "name": name, "latitude": 51.50853, "longitude": -0.12574,
            "elevation": 25.0, "feature_code": "PPLC", "country_code": "GB",
            "timezone": "Europe/London", "country": "United Kingdom", "admin1": "England",
        }],
        "generationtime_ms": 0.9,
    }


def forecast(query):
    days = int(query.get("forecast_days", ["7"])[0])
    hours = int(query.get("forecast_hours", ["48"])[0])
    return {
        "latitude": 51.5, "longitude": -0.12, "generationtime_ms": 0.1,
        "utc_offset_seconds": 0, "timezone": "Europe/London", "timezone_abbreviation": "GMT",
        "elevation": 23.0,
        "current": {
            "time": "2026-11-21T10:00", "interval": 900, "temperature_2m": 8.5,
            "relative_humidity_2m": 81, "apparent_temperature": 6.1, "precipitation": 0.0,
            "weather_code": 3, "cloud_cover": 100, "pressure_msl": 1012.3,
            "wind_speed_10m": 14.2, "wind_direction_10m": 240,
        },
        "hourly": {
            "time": [(START + timedelta(hours=h)).strftime("%Y-%m-%dT%H:%M") for h in range(hours)],
            "temperature_2m": series(hours, 5.0), "apparent_temperature": series(hours, 3.0),
            "relative_humidity_2m": series(hours, 60.0),
            "precipitation_probability": series(hours, 0.0), "precipitation": series(hours, 0.0),
            "weather_code": [61] * hours, "wind_speed_10m": series(hours, 10.0),
        },
        "daily": {
            "time": [(START + timedelta(days=d)).date().isoformat() for d in range(days)],
            "weather_code": [2] * days,
            "temperature_2m_max": series(days, 10.0), "temperature_2m_min": series(days, 2.0),
            "precipitation_sum": series(days, 0.0), "precipitation_probability_max": series(days, 5.0),
            "wind_speed_10m_max": series(days, 20.0),
            "sunrise": ["2026-11-21T07:25"] * days, "sunset": ["2026-11-21T16:05"] * days,
        },
    }


class Handler(BaseHTTPRequestHandler):
    def do_GET(self):
        url = urlparse(self.path)
        routes = {"/v1/search": search, "/v1/forecast": forecast}
        if url.path not in routes:
            self.send_error(404)
            return
        body = json.dumps(routes[url.path](parse_qs(url.query))).encode()
        self.send_response(200)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, *args):
        pass


if __name__ == "__main__":
    ThreadingHTTPServer(("127.0.0.1", int(sys.argv[1])), Handler).serve_forever()
