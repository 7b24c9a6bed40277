#include "ui/models/run_table_model.h"

#include <QBrush>
#include <QColor>
#include <QFileInfo>
#include <QLocale>

namespace tbui {

QString format_figure(std::optional<double> v) {
    if (!v) return QStringLiteral("—");
    const double a = std::abs(*v);
    const int decimals = a >= 1000 ? 0 : a >= 100 ? 1 : a >= 1 ? 2 : 4;
    return QLocale().toString(*v, 'f', decimals);
}

RunTableModel::RunTableModel(QObject* parent) : QAbstractTableModel(parent) {}

QDateTime RunTableModel::parse_date(const std::string& iso) {
    QDateTime t = QDateTime::fromString(QString::fromStdString(iso), Qt::ISODateWithMs);
    if (!t.isValid()) t = QDateTime::fromString(QString::fromStdString(iso), Qt::ISODate);
    if (t.isValid() && t.timeSpec() == Qt::LocalTime) t.setTimeSpec(Qt::UTC);   // stored as UTC
    return t;
}

void RunTableModel::set_runs(std::vector<tbdb::RunSummary> runs) {
    beginResetModel();
    rows_.clear();
    rows_.reserve(runs.size());
    for (auto& r : runs) {
        Row row;
        row.started = parse_date(r.started_at);
        for (int f = 0; f < bench::kKeyFigureCount; ++f) row.figures[f] = bench::key_figure(r.metrics, static_cast<bench::KeyFigure>(f));
        row.config = bench::run_config(r);
        row.run = std::move(r);
        rows_.push_back(std::move(row));
    }
    endResetModel();
}

int RunTableModel::row_of_run(qint64 run_id) const {
    for (size_t i = 0; i < rows_.size(); ++i)
        if (rows_[i].run.id == run_id) return static_cast<int>(i);
    return -1;
}

bench::KeyFigure RunTableModel::figure_of(Column c) {
    switch (c) {
    case LatencyP50: return bench::KeyFigure::LatencyP50;
    case LatencyP95: return bench::KeyFigure::LatencyP95;
    case TtftP50: return bench::KeyFigure::TtftP50;
    default: return bench::KeyFigure::Throughput;
    }
}

int RunTableModel::rowCount(const QModelIndex& parent) const {
    return parent.isValid() ? 0 : static_cast<int>(rows_.size());
}

int RunTableModel::columnCount(const QModelIndex& parent) const { return parent.isValid() ? 0 : ColumnCount; }

QVariant RunTableModel::data(const QModelIndex& index, int role) const {
    if (!checkIndex(index, CheckIndexOption::IndexIsValid | CheckIndexOption::ParentIsInvalid)) return {};
    const Row& row = rows_[static_cast<size_t>(index.row())];
    const tbdb::RunSummary& r = row.run;
    const auto column = static_cast<Column>(index.column());
    const auto s = [](const std::string& v) { return QString::fromStdString(v); };
    if (role == RunIdRole) return QVariant::fromValue<qint64>(r.id);
    if (role == Qt::DisplayRole || role == SortRole) {
        const bool sort = role == SortRole;
        switch (column) {
        case Id: return QVariant::fromValue<qint64>(r.id);
        case Date:
            if (sort) return row.started.isValid() ? QVariant(row.started.toMSecsSinceEpoch()) : QVariant(qint64(0));
            return row.started.isValid() ? row.started.toLocalTime().toString("yyyy-MM-dd HH:mm:ss") : s(r.started_at);
        case Workload: return s(r.workload);
        case Model: return sort ? s(r.model_path) : QFileInfo(s(r.model_path)).fileName();
        case Implementation: return s(r.implementation);
        case Kernel: return s(r.kernel);
        case Host: return s(r.host);
        case Threads: return r.threads;
        case Status: return s(r.status);
        case Throughput: case LatencyP50: case LatencyP95: case TtftP50: {
            const auto v = row.figures[static_cast<int>(figure_of(column))];
            if (sort) return v ? QVariant(*v) : QVariant(-1.0e300);
            return format_figure(v);
        }
        case Pinned: return sort ? QVariant(r.pinned) : QVariant(r.pinned ? tr("pinned") : QString());
        case ColumnCount: break;
        }
        return {};
    }
    if (role == Qt::TextAlignmentRole) {
        if (column == Id || column == Threads || (column >= Throughput && column <= TtftP50))
            return QVariant(Qt::AlignRight | Qt::AlignVCenter);
        return QVariant(Qt::AlignLeft | Qt::AlignVCenter);
    }
    if (role == Qt::ToolTipRole) {
        if (column == Model) return s(r.model_path);
        if (column == Status && !r.error.empty()) return s(r.error);
        if (column >= Throughput && column <= TtftP50) {
            const bench::KeyFigureInfo& info = bench::key_figure_info(figure_of(column));
            return tr("%1 (%2); first of: %3").arg(info.label, info.unit,
                      QString::fromStdString([&] { std::string j; for (auto& c : info.candidates) j += (j.empty() ? "" : ", ") + c; return j; }()));
        }
        return {};
    }
    if (role == Qt::ForegroundRole && column == Status) {
        if (r.status == "failed" || r.status == "interrupted") return QBrush(QColor(0xc0, 0x30, 0x30));
        if (r.status == "cancelled") return QBrush(QColor(0xb0, 0x70, 0x00));
    }
    return {};
}

QVariant RunTableModel::headerData(int section, Qt::Orientation orientation, int role) const {
    if (orientation != Qt::Horizontal || section < 0 || section >= ColumnCount) return {};
    if (role != Qt::DisplayRole && role != Qt::ToolTipRole) return {};
    switch (static_cast<Column>(section)) {
    case Id: return tr("ID");
    case Date: return tr("Date");
    case Workload: return tr("Workload");
    case Model: return tr("Model");
    case Implementation: return tr("Implementation");
    case Kernel: return tr("Kernel");
    case Host: return tr("Host");
    case Threads: return tr("Threads");
    case Status: return tr("Status");
    case Throughput: case LatencyP50: case LatencyP95: case TtftP50: {
        const bench::KeyFigureInfo& info = bench::key_figure_info(figure_of(static_cast<Column>(section)));
        return QStringLiteral("%1 (%2)").arg(tr(info.label), QString::fromLatin1(info.unit));
    }
    case Pinned: return tr("Baseline");
    case ColumnCount: break;
    }
    return {};
}

}  // namespace tbui
