#pragma once
// Table model over a bench::CompareTable: metric, unit, one value column per run, then for every
// run after the reference: ratio, 95% CI, p-value and the verdict.
#include <QAbstractTableModel>

#include "app/reports/compare_table.h"

namespace tbui {

class CompareModel : public QAbstractTableModel {
    Q_OBJECT
public:
    enum Role { SortRole = Qt::UserRole + 1 };
    explicit CompareModel(QObject* parent = nullptr);

    void set_table(bench::CompareTable table);
    const bench::CompareTable& table() const { return table_; }

    int rowCount(const QModelIndex& parent = {}) const override;
    int columnCount(const QModelIndex& parent = {}) const override;
    QVariant data(const QModelIndex& index, int role = Qt::DisplayRole) const override;
    QVariant headerData(int section, Qt::Orientation orientation, int role = Qt::DisplayRole) const override;

    static constexpr int kPerComparison = 4;   // ratio, CI, p, verdict

private:
    int run_count() const { return static_cast<int>(table_.run_labels.size()); }
    bench::CompareTable table_;
};

QString verdict_text(const bench::Comparison& c);

}  // namespace tbui
