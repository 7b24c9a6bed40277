#include "ui/models/compare_model.h"

#include <QBrush>
#include <QColor>

#include "ui/models/run_table_model.h"

namespace tbui {

QString verdict_text(const bench::Comparison& c) {
    QString text;
    if (c.significant) text = *c.significant ? QObject::tr("significant") : QObject::tr("not significant");
    if (!c.note.empty()) text += (text.isEmpty() ? QString() : QStringLiteral("; ")) + QString::fromStdString(c.note);
    return text.isEmpty() ? QStringLiteral("—") : text;
}

CompareModel::CompareModel(QObject* parent) : QAbstractTableModel(parent) {}

void CompareModel::set_table(bench::CompareTable table) {
    beginResetModel();
    table_ = std::move(table);
    endResetModel();
}

int CompareModel::rowCount(const QModelIndex& parent) const {
    return parent.isValid() ? 0 : static_cast<int>(table_.rows.size());
}

int CompareModel::columnCount(const QModelIndex& parent) const {
    if (parent.isValid() || table_.run_labels.empty()) return 0;
    return 2 + run_count() + (run_count() - 1) * kPerComparison;
}

QVariant CompareModel::data(const QModelIndex& index, int role) const {
    if (!checkIndex(index, CheckIndexOption::IndexIsValid | CheckIndexOption::ParentIsInvalid)) return {};
    const bench::CompareRow& row = table_.rows[static_cast<size_t>(index.row())];
    const int col = index.column();
    const bool sort = role == SortRole;
    if (role != Qt::DisplayRole && !sort && role != Qt::TextAlignmentRole && role != Qt::ForegroundRole &&
        role != Qt::ToolTipRole)
        return {};
    if (role == Qt::TextAlignmentRole) return QVariant(col < 2 ? (Qt::AlignLeft | Qt::AlignVCenter) : (Qt::AlignRight | Qt::AlignVCenter));
    if (col == 0) return role == Qt::ToolTipRole ? QVariant() : QVariant(QString::fromStdString(row.metric));
    if (col == 1) return role == Qt::ToolTipRole ? QVariant() : QVariant(QString::fromStdString(row.unit));
    if (col < 2 + run_count()) {
        if (role != Qt::DisplayRole && !sort) return {};
        const auto& v = row.values[static_cast<size_t>(col - 2)];
        return sort ? QVariant(v.value_or(-1e300)) : QVariant(format_figure(v));
    }
    const int rel = col - 2 - run_count();
    const bench::Comparison& c = row.vs_reference[static_cast<size_t>(rel / kPerComparison)];
    const int kind = rel % kPerComparison;
    if (role == Qt::ToolTipRole) return kind == 3 ? QVariant(QString::fromStdString(table_.method)) : QVariant();
    if (role == Qt::ForegroundRole) {
        if (kind == 3 && c.significant && *c.significant) return QBrush(QColor(0x20, 0x70, 0xc0));
        return {};
    }
    switch (kind) {
    case 0:
        if (sort) return c.ratio.value_or(-1e300);
        return c.ratio ? QStringLiteral("%1×").arg(*c.ratio, 0, 'f', 3) : QStringLiteral("—");
    case 1:
        if (sort) return c.ci_low.value_or(-1e300);
        return c.ci_low && c.ci_high ? QStringLiteral("[%1, %2]").arg(*c.ci_low, 0, 'f', 3).arg(*c.ci_high, 0, 'f', 3)
                                     : QStringLiteral("—");
    case 2:
        if (sort) return c.p_value.value_or(2.0);
        return c.p_value ? QString::number(*c.p_value, 'g', 3) : QStringLiteral("—");
    default: return verdict_text(c);
    }
}

QVariant CompareModel::headerData(int section, Qt::Orientation orientation, int role) const {
    if (orientation != Qt::Horizontal || role != Qt::DisplayRole) return {};
    if (section < 0 || section >= columnCount()) return {};
    if (section == 0) return tr("Metric");
    if (section == 1) return tr("Unit");
    if (section < 2 + run_count()) return QString::fromStdString(table_.run_labels[static_cast<size_t>(section - 2)]);
    const int rel = section - 2 - run_count();
    const int other = rel / kPerComparison + 1;
    const QString who = run_count() > 2 ? QStringLiteral(" (%1)").arg(other + 1) : QString();
    switch (rel % kPerComparison) {
    case 0: return tr("Ratio") + who;
    case 1: return tr("95% CI") + who;
    case 2: return tr("p") + who;
    default: return tr("Significance") + who;
    }
}

}  // namespace tbui
