"""Satu Data Indonesia: official statistics (with source and year) and the data-set catalogue."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from actions.datasets import ActionDatasetSearch, ValidateDatasetSearchForm, dataset_query
from actions.gateway import use_gateway
from actions.satudata import ActionStatistics, ValidateStatisticsForm, number
from tests.actions.builders import user
from tests.actions.flow_helpers import UNAVAILABLE, FakeGateway, form_tracker, payloads, submit_tracker, texts


@pytest.fixture()
def fake() -> Iterator[FakeGateway]:
    fake = FakeGateway()
    use_gateway(fake.client)
    yield fake
    use_gateway(None)


def slot_events(events: list[dict]) -> dict[str, object]:
    return {event["name"]: event["value"] for event in events if event.get("event") == "slot"}


async def validate(dispatcher, domain, requested, message, **kwargs) -> dict[str, object]:
    tracker = form_tracker("statistics_form", requested, message, **kwargs)
    return slot_events(await ValidateStatisticsForm().run(dispatcher, tracker, domain))


# --- Statistics form ---------------------------------------------------------------------


async def test_question_with_indicator_province_and_year(dispatcher, domain) -> None:
    message = user("data_statistics", "IPM jawa barat tahun 2022", [("region", "Jawa Barat")])

    slots = await validate(
        dispatcher,
        domain,
        None,
        message,
        activating=True,
        extracted={"region": "Jawa Barat"},
        candidates={"region": "Jawa Barat"},
    )

    assert slots == {"statistic_indicator": "hdi", "region": "Jawa Barat", "statistics_year": "2022"}
    assert dispatcher.messages == []


async def test_new_question_without_details_forgets_the_previous_answer(dispatcher, domain) -> None:
    earlier = {"statistic_indicator": "hdi", "region": "Jawa Barat"}

    slots = await validate(
        dispatcher, domain, None, user("data_statistics", "statistik dong"), activating=True, slots=earlier
    )

    assert slots["statistic_indicator"] is None and slots["region"] is None


async def test_follow_up_naming_only_a_region_keeps_the_indicator(dispatcher, domain) -> None:
    earlier = {"statistic_indicator": "hdi", "region": "Jawa Barat"}
    message = user("data_statistics", "kalau jawa timur?", [("region", "Jawa Timur")])

    slots = await validate(
        dispatcher,
        domain,
        None,
        message,
        activating=True,
        slots=earlier,
        extracted={"region": "Jawa Timur"},
        candidates={"region": "Jawa Timur"},
    )

    assert slots["region"] == "Jawa Timur"
    assert "statistic_indicator" not in slots  # kept from the previous answer


@pytest.mark.parametrize(
    ("text", "indicator"),
    [
        ("angka kemiskinan", "poverty_rate"),
        ("persentase penduduk miskin", "poverty_rate"),
        ("pengangguran", "unemployment_rate"),
        ("indeks pembangunan manusia", "hdi"),
        ("jumlah penduduk", "population"),
    ],
)
async def test_typed_indicator(dispatcher, domain, text, indicator) -> None:
    slots = await validate(dispatcher, domain, "statistic_indicator", user("inform", text))

    assert slots["statistic_indicator"] == indicator


async def test_unknown_indicator_is_refused_with_the_choices(dispatcher, domain) -> None:
    slots = await validate(dispatcher, domain, "statistic_indicator", user("inform", "inflasi"))

    assert slots["statistic_indicator"] is None
    assert texts(dispatcher).startswith("Maaf, statistik itu belum tersedia di sini.")
    assert '/inform{"statistic_indicator":"hdi"}' in payloads(dispatcher)


async def test_national_and_unknown_regions(dispatcher, domain) -> None:
    slots = await validate(dispatcher, domain, "region", user("inform", "nasional aja"))
    assert slots["region"] == "Indonesia"

    slots = await validate(dispatcher, domain, "region", user("inform", "antah berantah"))
    assert slots["region"] is None
    assert texts(dispatcher).startswith("Wilayah itu belum saya kenali.")


async def test_a_city_uses_its_province(dispatcher, domain) -> None:
    message = user("inform", "kota bandung", [("region", "Kota Bandung")])

    slots = await validate(
        dispatcher,
        domain,
        "region",
        message,
        extracted={"region": "Kota Bandung"},
        candidates={"region": "Kota Bandung"},
    )

    assert slots["region"] == "Jawa Barat"
    assert "Provinsi Jawa Barat (tempat Kota Bandung berada)" in texts(dispatcher)


async def test_an_aside_is_left_to_the_interruption_rules(dispatcher, domain) -> None:
    slots = await validate(dispatcher, domain, "region", user("bot_challenge", "ini bot ya? 2020"))

    assert slots == {}


# --- Statistics answer -------------------------------------------------------------------


def figure(**overrides: object) -> dict[str, object]:
    return {
        "indicator": "poverty_rate",
        "label": "Persentase penduduk miskin",
        "region": {"code": "33", "name": "Jawa Tengah"},
        "year": 2024,
        "period": "Maret",
        "value": 10.47,
        "unit": "persen",
        "source": "BPS",
        "published": "Profil Kemiskinan di Indonesia Maret 2024 (BPS, rilis 1 Juli 2024)",
        **overrides,
    }


def params(fake: FakeGateway) -> dict[str, str]:
    return dict(fake.last.url.params)


async def test_figure_with_source_and_year(fake, dispatcher, domain) -> None:
    fake.answer(figure())
    slots = {"statistic_indicator": "poverty_rate", "region": "Jawa Tengah", "statistics_year": "2024"}

    events = await ActionStatistics().run(dispatcher, submit_tracker(slots), domain)

    assert fake.last.url.path == "/api/v1/statistics"
    assert params(fake) == {"indicator": "poverty_rate", "region": "Jawa Tengah", "year": "2024"}
    text = texts(dispatcher)
    assert text.startswith("Persentase penduduk miskin — Jawa Tengah, Maret 2024: 10,47 persen.")
    assert (
        "Sumber: BPS, data tahun 2024; publikasi: Profil Kemiskinan di Indonesia Maret 2024 "
        "(BPS, rilis 1 Juli 2024)." in text
    )
    # The question's year stays for a follow-up; the year shown is kept for "tahun lalu?".
    assert slot_events(events) == {"statistics_shown_year": "2024"}
    assert "Catatan" not in text  # confirmed (no `verified: false`): no caveat


UNVERIFIED = "Catatan: angka ini baru kami temukan dalam laporan media tentang rilis BPS"


async def test_a_figure_from_one_report_says_so_and_points_to_bps(fake, dispatcher, domain) -> None:
    url = "https://data.goodstats.id/statistic/ipm-2025"
    fake.answer(
        figure(indicator="hdi", value=82.48, unit="", period=None, year=2025, url=url, verified=False)
    )

    await ActionStatistics().run(
        dispatcher, submit_tracker({"statistic_indicator": "hdi", "region": "DI Yogyakarta"}), domain
    )

    text = texts(dispatcher)
    assert UNVERIFIED in text and "bps.go.id" in text
    assert text.index("82,48") < text.index(UNVERIFIED) < text.index("Sumber:")
    assert text.endswith(f"\n{url}")


async def test_a_confirmed_figure_links_its_release(fake, dispatcher, domain) -> None:
    url = "https://www.bps.go.id/id/pressrelease/2026/08/05/2594/persentase-penduduk-miskin-maret-2026.html"
    fake.answer(figure(year=2026, value=8.07, url=url, verified=True))

    await ActionStatistics().run(
        dispatcher, submit_tracker({"statistic_indicator": "poverty_rate", "region": "Indonesia"}), domain
    )

    text = texts(dispatcher)
    assert UNVERIFIED not in text and text.endswith(f"\n{url}")


async def test_latest_national_figure(fake, dispatcher, domain) -> None:
    fake.answer(
        figure(
            indicator="population",
            label="Jumlah penduduk",
            region={"code": "00", "name": "Indonesia"},
            period=None,
            value=281603800,
            unit="jiwa",
        )
    )

    await ActionStatistics().run(
        dispatcher, submit_tracker({"statistic_indicator": "population", "region": "Indonesia"}), domain
    )

    assert params(fake) == {"indicator": "population", "region": "indonesia"}
    assert "Jumlah penduduk — Indonesia, 2024: 281.603.800 jiwa." in texts(dispatcher)


async def test_unpublished_figure_offers_the_available_years(fake, dispatcher, domain) -> None:
    fake.answer(
        {
            "code": "figure_unavailable",
            "detail": "Angka belum tersedia.",
            "available_years": [2021, 2022, 2023],
        },
        status=404,
    )
    slots = {"statistic_indicator": "hdi", "region": "Jawa Barat", "statistics_year": "2030"}

    await ActionStatistics().run(dispatcher, submit_tracker(slots), domain)

    text = texts(dispatcher)
    assert text.startswith(
        "Angka indeks pembangunan manusia untuk Jawa Barat tahun 2030 belum ada di data kami."
    )
    assert "Tahun yang tersedia: 2021, 2022, 2023." in text and "bps.go.id" in text
    assert not any(
        char.isdigit()
        for char in text.replace("2030", "").replace("2021", "").replace("2022", "").replace("2023", "")
    )
    assert payloads(dispatcher)[0] == (
        '/data_statistics{"statistic_indicator":"hdi","region":"Jawa Barat","statistics_year":"2023"}'
    )


async def test_no_published_year_at_all(fake, dispatcher, domain) -> None:
    fake.answer({"code": "figure_unavailable", "detail": "Belum ada.", "available_years": []}, status=404)

    await ActionStatistics().run(
        dispatcher, submit_tracker({"statistic_indicator": "hdi", "region": "Papua Tengah"}), domain
    )

    text = texts(dispatcher)
    assert "kami hanya memuat angka yang dapat kami telusuri ke rilis BPS" in text
    assert "Silakan cek langsung di bps.go.id." in text
    assert "/data_statistics" in payloads(dispatcher)


async def test_unknown_region_at_the_gateway(fake, dispatcher, domain) -> None:
    fake.error(404, "not_found", "Wilayah tidak ditemukan.")

    events = await ActionStatistics().run(
        dispatcher, submit_tracker({"statistic_indicator": "hdi", "region": "Atlantis"}), domain
    )

    assert texts(dispatcher).startswith("Wilayah Atlantis tidak ditemukan di Satu Data.")
    assert slot_events(events)["region"] is None


@pytest.mark.parametrize("failure", UNAVAILABLE)
async def test_statistics_down_apologises(fake, dispatcher, domain, failure) -> None:
    failure(fake)

    await ActionStatistics().run(
        dispatcher, submit_tracker({"statistic_indicator": "hdi", "region": "Jawa Barat"}), domain
    )

    assert texts(dispatcher).startswith(
        "Mohon maaf, layanan Satu Data Indonesia sedang tidak dapat dihubungi"
    )
    assert "bps.go.id" in texts(dispatcher)


def test_numbers_use_indonesian_separators() -> None:
    assert number(7.46) == "7,46"
    assert number(49860000) == "49.860.000"
    assert number(72.0) == "72"
    assert number(1234.5) == "1.234,5"


# --- Data sets ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "query"),
    [
        ("cari dataset tentang kemiskinan dong", "kemiskinan"),
        ("data produksi padi jawa timur", "produksi padi jawa timur"),
        ("cari dataset", None),
        ("data", None),
        ('/inform{"region":"Jawa Barat"}', None),
    ],
)
def test_dataset_query_keeps_the_topic(text, query) -> None:
    assert dataset_query(text) == query


async def test_topic_from_the_request_or_refused(dispatcher, domain) -> None:
    message = user("data_dataset_search", "cari dataset kemiskinan")
    tracker = form_tracker("dataset_search_form", None, message, activating=True)
    slots = slot_events(await ValidateDatasetSearchForm().run(dispatcher, tracker, domain))
    assert slots["dataset_query"] == "kemiskinan"

    tracker = form_tracker(
        "dataset_search_form", "dataset_query", user("inform", "data"), candidates={"dataset_query": "data"}
    )
    slots = slot_events(await ValidateDatasetSearchForm().run(dispatcher, tracker, domain))
    assert slots["dataset_query"] is None
    assert texts(dispatcher).startswith("Mohon tulis topik datanya")


def datasets() -> dict[str, object]:
    return {
        "total": 12,
        "items": [
            {
                "title": "Persentase Penduduk Miskin Menurut Provinsi",
                "organization": "Badan Pusat Statistik",
                "url": "https://data.go.id/dataset/penduduk-miskin",
                "formats": ["CSV", "XLSX"],
                "updated": "2025-01-15",
            },
            {
                "title": "Garis Kemiskinan",
                "organization": "BPS",
                "url": "https://data.go.id/dataset/garis",
                "formats": [],
                "updated": None,
            },
        ],
    }


async def test_datasets_are_listed(fake, dispatcher, domain) -> None:
    fake.answer(datasets())

    events = await ActionDatasetSearch().run(
        dispatcher, submit_tracker({"dataset_query": "kemiskinan"}), domain
    )

    assert fake.last.url.path == "/api/v1/datasets"
    assert params(fake) == {"q": "kemiskinan", "limit": "5"}
    text = texts(dispatcher)
    assert text.startswith("Saya menemukan 12 dataset untuk “kemiskinan”; berikut 2 teratas:")
    first = "1. Persentase Penduduk Miskin Menurut Provinsi — Badan Pusat Statistik"
    assert f"{first} (CSV, XLSX; diperbarui 15 Januari 2025)" in text
    assert "   https://data.go.id/dataset/garis" in text
    assert slot_events(events) == {"dataset_query": None}
    assert "contoh" not in text  # real data sets: no example note


async def test_example_data_sets_are_called_examples(fake, dispatcher, domain) -> None:
    answer = datasets()
    answer["items"][1]["example"] = True  # type: ignore[index]
    fake.answer(answer)

    await ActionDatasetSearch().run(dispatcher, submit_tracker({"dataset_query": "kemiskinan"}), domain)

    text = texts(dispatcher)
    assert text.endswith(
        "Catatan: daftar di atas adalah contoh dari katalog simulasi, bukan dataset resmi. Judul dan "
        "alamatnya belum tentu ada di Satu Data Indonesia; cari dataset resmi di data.go.id."
    )


async def test_no_dataset_found(fake, dispatcher, domain) -> None:
    fake.answer({"total": 0, "items": []})

    await ActionDatasetSearch().run(dispatcher, submit_tracker({"dataset_query": "unicorn"}), domain)

    assert texts(dispatcher).startswith("Belum ada dataset untuk “unicorn”.")


@pytest.mark.parametrize("failure", UNAVAILABLE)
async def test_catalogue_down_apologises(fake, dispatcher, domain, failure) -> None:
    failure(fake)

    await ActionDatasetSearch().run(dispatcher, submit_tracker({"dataset_query": "kemiskinan"}), domain)

    assert texts(dispatcher).startswith(
        "Mohon maaf, layanan Satu Data Indonesia sedang tidak dapat dihubungi"
    )
    assert "data.go.id" in texts(dispatcher)


async def test_every_year_the_question_names_is_answered(fake, dispatcher, domain) -> None:
    fake.route({"/statistics": figure()})  # answers every year with the same figure
    slots = {"statistic_indicator": "poverty_rate", "region": "Jawa Tengah", "statistics_year": "2024"}
    message = user("data_statistics", "kemiskinan jateng 2024 sama 2023 berapa")

    events = await ActionStatistics().run(dispatcher, submit_tracker(slots, message), domain)

    assert [dict(request.url.params).get("year") for request in fake.requests] == ["2024", "2023"]
    assert len(dispatcher.messages) == 2
    assert slot_events(events) == {"statistics_shown_year": "2024"}
