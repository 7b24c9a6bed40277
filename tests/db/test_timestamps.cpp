// One run-time format (db/timestamps.h): ISO-8601 UTC with milliseconds, from the clock and
// from other ISO-8601 forms (llama-bench's whole-second test_time, offsets, a space for T).
#include <QtTest>

#include "db/timestamps.h"

using tbdb::normalized_utc_timestamp;

class TestTimestamps : public QObject {
    Q_OBJECT
private slots:
    void now_has_milliseconds_and_z() {
        const std::string t = tbdb::utc_timestamp_now();
        QCOMPARE(t.size(), size_t(24));   // 2026-11-30T01:02:03.456Z
        QCOMPARE(t[10], 'T');
        QCOMPARE(t[19], '.');
        QCOMPARE(t.back(), 'Z');
        QCOMPARE(normalized_utc_timestamp(t).value_or(""), t);   // already canonical
    }
    void other_iso_forms_are_normalized() {
        auto n = [](const char* s) { return QString::fromStdString(normalized_utc_timestamp(s).value_or("<none>")); };
        QCOMPARE(n("2026-11-27T00:30:11Z"), QString("2026-11-27T00:30:11.000Z"));
        QCOMPARE(n("2026-11-27 00:30:11.5"), QString("2026-11-27T00:30:11.500Z"));
        QCOMPARE(n("2026-11-27T00:30:11.123456Z"), QString("2026-11-27T00:30:11.123Z"));
        QCOMPARE(n("2026-11-27T01:30:11+01:00"), QString("2026-11-27T00:30:11.000Z"));
        QCOMPARE(n("2026-11-26T23:00:00-0130"), QString("2026-11-27T00:30:00.000Z"));
        QCOMPARE(n("2026-01-01T00:00:00+00:30"), QString("2025-12-31T23:30:00.000Z"));
    }
    void non_times_are_refused() {
        for (const char* bad : {"", "yesterday", "2026-11-27", "2026-13-01T00:00:00Z", "2026-11-27T00:30:11Zjunk",
                                "2026-11-27T00:30:11.Z", "1732667411"})
            QVERIFY2(!normalized_utc_timestamp(bad), bad);
    }
};

QTEST_GUILESS_MAIN(TestTimestamps)
#include "test_timestamps.moc"
