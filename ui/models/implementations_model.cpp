#include "ui/models/implementations_model.h"

#include <QFileInfo>
#include <QStringList>

namespace tbui {
namespace {

QString joined(const std::vector<std::string>& list, int keep) {
    QStringList out;
    for (size_t i = 0; i < list.size() && static_cast<int>(i) < keep; ++i) out << QString::fromStdString(list[i]);
    if (static_cast<int>(list.size()) > keep) out << QObject::tr("+%1 more").arg(static_cast<int>(list.size()) - keep);
    return out.join(QStringLiteral(", "));
}

// "baseline:/opt/ik/llama-bench" -> "ran llama-bench", "import:x.json" -> "imported x.json".
QString program_text(const std::string& source) {
    const QString s = QString::fromStdString(source);
    if (s.startsWith(QLatin1String("baseline:"))) return QObject::tr("ran %1").arg(s.mid(9));
    if (s.startsWith(QLatin1String("import:"))) return QObject::tr("imported %1").arg(QFileInfo(s.mid(7)).fileName());
    if (s == QLatin1String("run")) return QObject::tr("ternbench");
    return s;
}

}  // namespace

ImplementationsModel::ImplementationsModel(QObject* parent) : QAbstractTableModel(parent) {}

void ImplementationsModel::set_found(std::vector<bench::ImplementationFound> found) {
    beginResetModel();
    found_ = std::move(found);
    endResetModel();
}

int ImplementationsModel::rowCount(const QModelIndex& parent) const {
    return parent.isValid() ? 0 : static_cast<int>(found_.size());
}
int ImplementationsModel::columnCount(const QModelIndex& parent) const { return parent.isValid() ? 0 : ColumnCount; }

QVariant ImplementationsModel::data(const QModelIndex& index, int role) const {
    if (!checkIndex(index, CheckIndexOption::IndexIsValid | CheckIndexOption::ParentIsInvalid)) return {};
    const auto& f = found_[static_cast<size_t>(index.row())];
    if (role == Qt::ToolTipRole && index.column() == Programs) {
        QStringList all;
        for (const auto& p : f.programs) all << program_text(p);
        return all.join(QLatin1Char('\n'));
    }
    if (role != Qt::DisplayRole) return {};
    switch (index.column()) {
    case Implementation: return QString::fromStdString(f.implementation);
    case Builds: return joined(f.builds, 3);
    case Runs: return f.runs;
    case Newest: return QString::fromStdString(f.newest);
    case Programs: {
        QStringList shown;
        for (size_t i = 0; i < f.programs.size() && i < 2; ++i) shown << program_text(f.programs[i]);
        if (f.programs.size() > 2) shown << tr("+%1 more").arg(static_cast<int>(f.programs.size()) - 2);
        return shown.join(QStringLiteral(", "));
    }
    case ToldBy: return f.ours ? tr("ternbench's own engine") : QString::fromStdString(f.told_by);
    default: return {};
    }
}

QVariant ImplementationsModel::headerData(int section, Qt::Orientation orientation, int role) const {
    if (orientation != Qt::Horizontal || role != Qt::DisplayRole) return {};
    switch (section) {
    case Implementation: return tr("Implementation");
    case Builds: return tr("Builds");
    case Runs: return tr("Runs");
    case Newest: return tr("Newest run");
    case Programs: return tr("Programs");
    case ToldBy: return tr("Told apart by");
    default: return {};
    }
}

}  // namespace tbui
