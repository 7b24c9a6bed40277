#include "ui/models/baseline_model.h"

#include <QFileInfo>

namespace tbui {

BaselineModel::BaselineModel(QObject* parent) : QAbstractTableModel(parent) {}

void BaselineModel::set_baselines(std::vector<tbdb::Baseline> baselines, const std::vector<tbdb::RunSummary>& runs) {
    beginResetModel();
    rows_.clear();
    for (auto& b : baselines) {
        Row row;
        if (b.run_id) {
            row.description = tr("run #%1").arg(*b.run_id);
            for (const auto& r : runs) {
                if (r.id != *b.run_id) continue;
                row.description += QStringLiteral(": %1, %2, %3, %4")
                                       .arg(QString::fromStdString(r.workload), QString::fromStdString(r.implementation),
                                            QFileInfo(QString::fromStdString(r.model_path)).fileName(),
                                            QString::fromStdString(r.started_at));
                break;
            }
        } else if (b.implementation) {
            row.description = tr("implementation %1").arg(QString::fromStdString(*b.implementation));
        }
        row.baseline = std::move(b);
        rows_.push_back(std::move(row));
    }
    std::sort(rows_.begin(), rows_.end(), [](const Row& a, const Row& b) { return a.baseline.id > b.baseline.id; });
    endResetModel();
}

int BaselineModel::rowCount(const QModelIndex& parent) const { return parent.isValid() ? 0 : static_cast<int>(rows_.size()); }
int BaselineModel::columnCount(const QModelIndex& parent) const { return parent.isValid() ? 0 : ColumnCount; }

QVariant BaselineModel::data(const QModelIndex& index, int role) const {
    if (!checkIndex(index, CheckIndexOption::IndexIsValid | CheckIndexOption::ParentIsInvalid)) return {};
    const Row& row = rows_[static_cast<size_t>(index.row())];
    if (role == BaselineIdRole) return QVariant::fromValue<qint64>(row.baseline.id);
    if (role != Qt::DisplayRole) return {};
    switch (index.column()) {
    case Id: return QVariant::fromValue<qint64>(row.baseline.id);
    case What: return row.description;
    case Created: return QString::fromStdString(row.baseline.created_at);
    default: return {};
    }
}

QVariant BaselineModel::headerData(int section, Qt::Orientation orientation, int role) const {
    if (orientation != Qt::Horizontal || role != Qt::DisplayRole) return {};
    switch (section) {
    case Id: return tr("Pin");
    case What: return tr("Baseline");
    case Created: return tr("Pinned at");
    default: return {};
    }
}

}  // namespace tbui
