#include "ui/pages/baselines_page.h"

#include <QComboBox>
#include <QFileDialog>
#include <QGroupBox>
#include <QHBoxLayout>
#include <QHeaderView>
#include <QLabel>
#include <QListWidget>
#include <QPushButton>
#include <QTableView>
#include <QVBoxLayout>

#include "app/legacy/importer.h"
#include "ui/app/app_context.h"
#include "ui/app/app_settings.h"
#include "ui/models/baseline_model.h"

namespace tbui {

BaselinesPage::BaselinesPage(AppContext* context, QWidget* parent) : QWidget(parent), context_(context) {
    // External programs.
    auto* programs_box = new QGroupBox(tr("External programs (llama.cpp / bitnet.cpp llama-bench)"));
    auto* programs_layout = new QHBoxLayout(programs_box);
    programs_ = new QListWidget;
    programs_->addItems(AppSettings::llama_bench_paths());
    auto* buttons = new QVBoxLayout;
    auto* add = new QPushButton(tr("Add…"));
    auto* remove = new QPushButton(tr("Remove"));
    run_now_ = new QPushButton(QIcon(":/icons/start.svg"), tr("Run baseline now"));
    // The core's legacy runner (app/legacy/llama_bench_runner.h) is not part of this build yet.
    run_now_->setEnabled(false);
    run_now_->setToolTip(tr("Not available yet: this build has no runner for external programs "
                            "(app/legacy/llama_bench_runner.h). Run llama-bench yourself with -o json and import the file."));
    buttons->addWidget(add);
    buttons->addWidget(remove);
    buttons->addWidget(run_now_);
    buttons->addStretch();
    programs_layout->addWidget(programs_, 1);
    programs_layout->addLayout(buttons);
    connect(add, &QPushButton::clicked, this, &BaselinesPage::add_program);
    connect(remove, &QPushButton::clicked, this, &BaselinesPage::remove_program);

    // Import.
    auto* import_box = new QGroupBox(tr("Import result files"));
    auto* import_layout = new QVBoxLayout(import_box);
    auto* import_row = new QHBoxLayout;
    auto* import = new QPushButton(QIcon(":/icons/import.svg"), tr("Import…"));
    import->setToolTip(tr("llama-bench -o json|jsonl|csv|sql output, or ternbench CSV/JSON exports"));
    import_row->addWidget(import);
    import_row->addWidget(new QLabel(tr("llama-bench json, jsonl, csv, sql; ternbench CSV and JSON exports")), 1);
    import_result_ = new QLabel;
    import_result_->setWordWrap(true);
    import_result_->setTextInteractionFlags(Qt::TextSelectableByMouse);
    import_layout->addLayout(import_row);
    import_layout->addWidget(import_result_);
    connect(import, &QPushButton::clicked, this, [this] {
        const QStringList files = QFileDialog::getOpenFileNames(
            this, tr("Import results"), QString(),
            tr("Results (*.json *.jsonl *.csv *.sql);;All files (*)"));
        if (!files.isEmpty()) import_files(files);
    });

    // Pins.
    auto* pins_box = new QGroupBox(tr("Pinned baselines (the newest is used for charts, Compare and reports)"));
    auto* pins_layout = new QVBoxLayout(pins_box);
    model_ = new BaselineModel(this);
    table_ = new QTableView;
    table_->setModel(model_);
    table_->setSelectionBehavior(QAbstractItemView::SelectRows);
    table_->verticalHeader()->setVisible(false);
    table_->horizontalHeader()->setStretchLastSection(true);
    auto* pin_row = new QHBoxLayout;
    auto* unpin = new QPushButton(QIcon(":/icons/unpin.svg"), tr("Unpin"));
    implementations_ = new QComboBox;
    implementations_->setSizeAdjustPolicy(QComboBox::AdjustToContents);
    auto* pin_impl = new QPushButton(QIcon(":/icons/pin.svg"), tr("Pin implementation"));
    pin_row->addWidget(unpin);
    pin_row->addStretch();
    pin_row->addWidget(implementations_);
    pin_row->addWidget(pin_impl);
    pins_layout->addWidget(table_, 1);
    pins_layout->addLayout(pin_row);
    connect(unpin, &QPushButton::clicked, this, &BaselinesPage::unpin_selected);
    connect(pin_impl, &QPushButton::clicked, this, &BaselinesPage::pin_implementation);

    auto* layout = new QVBoxLayout(this);
    layout->addWidget(programs_box);
    layout->addWidget(import_box);
    layout->addWidget(pins_box, 1);
    connect(context_, &AppContext::storeChanged, this, &BaselinesPage::reload);
    reload();
}

void BaselinesPage::reload() {
    const quint64 generation = ++generation_;
    context_->store().query(
        this, [](tbdb::RunStore& store) { return std::make_pair(store.baselines(), store.list_runs()); },
        [this, generation](std::pair<std::vector<tbdb::Baseline>, std::vector<tbdb::RunSummary>> result) {
            if (generation != generation_) return;
            QStringList impls;
            for (const auto& r : result.second) impls << QString::fromStdString(r.implementation);
            impls.removeDuplicates();
            impls.sort();
            const QString current = implementations_->currentText();
            implementations_->clear();
            implementations_->addItems(impls);
            if (impls.contains(current)) implementations_->setCurrentText(current);
            model_->set_baselines(std::move(result.first), result.second);
            table_->resizeColumnsToContents();
        },
        [this](const QString& error) { emit context_->errorRaised(tr("Could not read the baselines: %1").arg(error)); });
}

void BaselinesPage::add_program() {
    const QString path = QFileDialog::getOpenFileName(this, tr("llama-bench executable"));
    if (path.isEmpty()) return;
    programs_->addItem(path);
    save_programs();
}

void BaselinesPage::remove_program() {
    delete programs_->currentItem();
    save_programs();
}

void BaselinesPage::save_programs() {
    QStringList paths;
    for (int i = 0; i < programs_->count(); ++i) paths << programs_->item(i)->text();
    AppSettings::set_llama_bench_paths(paths);
}

void BaselinesPage::import_files(const QStringList& paths) {
    import_result_->setText(tr("Importing %1 file(s)…").arg(paths.size()));
    std::vector<std::string> files;
    for (const QString& p : paths) files.push_back(p.toStdString());
    context_->store().query(
        this,
        [files](tbdb::RunStore& store) {
            QStringList lines;
            int total = 0;
            for (const auto& file : files) {
                try {
                    bench::ImportResult result = bench::import_file(file);
                    const auto ids = store.insert_runs(result.runs);
                    total += static_cast<int>(ids.size());
                    lines << QObject::tr("%1: %2 run(s) imported as %3")
                                 .arg(QString::fromStdString(file))
                                 .arg(ids.size())
                                 .arg(QString::fromLatin1(bench::import_format_name(result.format)));
                    for (const auto& w : result.warnings) lines << QObject::tr("  warning: %1").arg(QString::fromStdString(w));
                } catch (const std::exception& e) {
                    // One bad file does not stop the others; the message names it.
                    lines << QObject::tr("%1: not imported: %2").arg(QString::fromStdString(file), QString::fromUtf8(e.what()));
                }
            }
            return std::make_pair(total, lines.join('\n'));
        },
        [this](std::pair<int, QString> result) {
            last_import_ = result.second;
            import_result_->setText(result.second);
            if (result.second.contains(tr("not imported"))) emit context_->errorRaised(tr("Some files were not imported; see the Baselines page."));
            emit context_->statusMessage(tr("Imported %1 run(s).").arg(result.first));
            if (result.first > 0) emit context_->storeChanged();
            emit importFinished(result.first);
        },
        [this](const QString& error) {
            last_import_ = error;
            import_result_->setText(error);
            emit context_->errorRaised(tr("Import failed: %1").arg(error));
            emit importFinished(0);
        });
}

void BaselinesPage::unpin_selected() {
    const QModelIndexList rows = table_->selectionModel()->selectedRows();
    if (rows.isEmpty()) {
        emit context_->errorRaised(tr("Select a pinned baseline to unpin."));
        return;
    }
    const qint64 id = rows.front().data(BaselineModel::BaselineIdRole).toLongLong();
    context_->store().query(
        this, [id](tbdb::RunStore& store) { store.unpin(id); return true; },
        [this](bool) { emit context_->storeChanged(); },
        [this](const QString& error) { emit context_->errorRaised(tr("Could not unpin: %1").arg(error)); });
}

void BaselinesPage::pin_implementation() {
    const std::string impl = implementations_->currentText().toStdString();
    if (impl.empty()) return;
    context_->store().query(
        this, [impl](tbdb::RunStore& store) { store.pin_implementation(impl); return true; },
        [this](bool) { emit context_->storeChanged(); },
        [this](const QString& error) { emit context_->errorRaised(tr("Could not pin: %1").arg(error)); });
}

}  // namespace tbui
