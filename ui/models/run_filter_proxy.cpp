#include "ui/models/run_filter_proxy.h"

#include "ui/models/run_table_model.h"

namespace tbui {

RunFilterProxy::RunFilterProxy(QObject* parent) : QSortFilterProxyModel(parent) {
    setSortRole(RunTableModel::SortRole);
    setDynamicSortFilter(true);
}

void RunFilterProxy::set_source(RunTableModel* model) {
    runs_ = model;
    setSourceModel(model);
}

void RunFilterProxy::set_workload(const QString& v) {
    if (v == workload_) return;
    workload_ = v;
    invalidateRowsFilter();
}
void RunFilterProxy::set_implementation(const QString& v) {
    if (v == implementation_) return;
    implementation_ = v;
    invalidateRowsFilter();
}
void RunFilterProxy::set_status(const QString& v) {
    if (v == status_) return;
    status_ = v;
    invalidateRowsFilter();
}
void RunFilterProxy::set_text(const QString& v) {
    if (v == text_) return;
    text_ = v;
    invalidateRowsFilter();
}

bool RunFilterProxy::filterAcceptsRow(int source_row, const QModelIndex&) const {
    if (!runs_) return true;
    const tbdb::RunSummary& r = runs_->row_at(source_row).run;
    const auto eq = [](const QString& want, const std::string& have) {
        return want.isEmpty() || want == QString::fromStdString(have);
    };
    if (!eq(workload_, r.workload) || !eq(implementation_, r.implementation) || !eq(status_, r.status)) return false;
    if (text_.isEmpty()) return true;
    for (const std::string* field : {&r.workload, &r.model_path, &r.implementation, &r.host, &r.kernel})
        if (QString::fromStdString(*field).contains(text_, Qt::CaseInsensitive)) return true;
    return false;
}

}  // namespace tbui
