#pragma once
// The pinned baselines (a pinned run or a pinned implementation), newest first.
#include <vector>

#include <QAbstractTableModel>

#include "db/run_store.h"

namespace tbui {

class BaselineModel : public QAbstractTableModel {
    Q_OBJECT
public:
    enum Column { Id, What, Created, ColumnCount };
    enum Role { BaselineIdRole = Qt::UserRole + 1 };
    explicit BaselineModel(QObject* parent = nullptr);

    // runs: summaries to describe pinned runs by (may be partial).
    void set_baselines(std::vector<tbdb::Baseline> baselines, const std::vector<tbdb::RunSummary>& runs);
    const tbdb::Baseline& baseline_at(int row) const { return rows_[static_cast<size_t>(row)].baseline; }

    int rowCount(const QModelIndex& parent = {}) const override;
    int columnCount(const QModelIndex& parent = {}) const override;
    QVariant data(const QModelIndex& index, int role = Qt::DisplayRole) const override;
    QVariant headerData(int section, Qt::Orientation orientation, int role = Qt::DisplayRole) const override;

private:
    struct Row {
        tbdb::Baseline baseline;
        QString description;
    };
    std::vector<Row> rows_;
};

}  // namespace tbui
