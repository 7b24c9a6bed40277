#pragma once
// Which SIMD kernel sets a data-driven test runs on: one row per set, skipped with the CPU's
// features where the set is not usable. "avx512" is the set without VNNI, "avx512vnni" the one
// with it (both named "avx512").
#include <QString>
#include <QtTest>

#include "engine/kernels/kernel_set.h"

namespace tbtest {

inline const tern::KernelSet* require_set(const QString& name) {
    for (const tern::KernelSet* k : tern::usable_kernel_variants()) {
        const bool vnni = QString(k->isa).split(',').contains("avx512vnni");
        if (name == (vnni ? QString(k->name) + "vnni" : QString(k->name))) return k;
    }
    return nullptr;
}

inline void kernel_rows() {
    QTest::addColumn<QString>("kernel");
    QTest::newRow("avx2") << QString("avx2");
    QTest::newRow("avx512") << QString("avx512");
    QTest::newRow("avx512vnni") << QString("avx512vnni");
}

}  // namespace tbtest

// In a data-driven test slot: `var` is the row's kernel set, or the slot skips.
#define REQUIRE_SET(var)                                                                         \
    QFETCH(QString, kernel);                                                                     \
    const tern::KernelSet* var = tbtest::require_set(kernel);                                    \
    if (!var)                                                                                    \
        QSKIP(qPrintable(QString("kernel set '%1' is not usable on this CPU (has: %2)")         \
                             .arg(kernel, QString::fromStdString(tern::cpu_features_string(tern::cpu_features())))));
