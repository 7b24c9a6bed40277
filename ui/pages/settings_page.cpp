#include "ui/pages/settings_page.h"

#include <QFileDialog>
#include <QFileInfo>
#include <QFormLayout>
#include <QGroupBox>
#include <QHBoxLayout>
#include <QLabel>
#include <QLineEdit>
#include <QPushButton>
#include <QSpinBox>
#include <QVBoxLayout>

#include "ui/app/app_context.h"
#include "ui/app/app_settings.h"

namespace tbui {

SettingsPage::SettingsPage(AppContext* context, QWidget* parent) : QWidget(parent), context_(context) {
    auto* storage = new QGroupBox(tr("Storage"));
    auto* storage_form = new QFormLayout(storage);
    db_path_ = new QLineEdit(context_->db_path());
    auto* browse = new QPushButton(tr("Browse…"));
    auto* apply = new QPushButton(tr("Use this database"));
    auto* row = new QHBoxLayout;
    row->addWidget(db_path_, 1);
    row->addWidget(browse);
    row->addWidget(apply);
    storage_form->addRow(tr("Database"), row);
    auto* hint = new QLabel(tr("SQLite file; created when absent. Other windows and the CLI may use it at the same time."));
    hint->setWordWrap(true);
    storage_form->addRow(QString(), hint);
    connect(browse, &QPushButton::clicked, this, [this] {
        const QString path = QFileDialog::getSaveFileName(this, tr("Database file"), db_path_->text(),
                                                          tr("SQLite databases (*.sqlite *.db);;All files (*)"),
                                                          nullptr, QFileDialog::DontConfirmOverwrite);
        if (!path.isEmpty()) {
            db_path_->setText(path);
            apply_db_path();
        }
    });
    connect(apply, &QPushButton::clicked, this, &SettingsPage::apply_db_path);
    connect(db_path_, &QLineEdit::returnPressed, this, &SettingsPage::apply_db_path);

    auto* run = new QGroupBox(tr("Benchmarks"));
    auto* run_form = new QFormLayout(run);
    threads_ = new QSpinBox;
    threads_->setRange(0, 1024);
    threads_->setSpecialValueText(tr("physical cores"));
    threads_->setValue(AppSettings::default_threads());
    sampler_ = new QSpinBox;
    sampler_->setRange(5, 10000);
    sampler_->setSuffix(tr(" ms"));
    sampler_->setValue(AppSettings::sampler_interval_ms());
    run_form->addRow(tr("Default threads"), threads_);
    run_form->addRow(tr("Resource sampler interval"), sampler_);
    connect(threads_, &QSpinBox::valueChanged, this, [](int v) { AppSettings::set_default_threads(v); });
    connect(sampler_, &QSpinBox::valueChanged, this, [](int v) { AppSettings::set_sampler_interval_ms(v); });

    auto* look = new QGroupBox(tr("Appearance"));
    auto* look_layout = new QVBoxLayout(look);
    look_layout->addWidget(new QLabel(tr("The theme follows the system (light or dark palette). "
                                         "Scale with QT_SCALE_FACTOR or the desktop's scaling.")));

    auto* layout = new QVBoxLayout(this);
    layout->addWidget(storage);
    layout->addWidget(run);
    layout->addWidget(look);
    layout->addStretch();
    connect(context_, &AppContext::dbPathChanged, this, [this](const QString& p) { db_path_->setText(p); });
}

void SettingsPage::apply_db_path() {
    const QString path = db_path_->text().trimmed();
    if (path.isEmpty()) {
        emit context_->errorRaised(tr("The database path is empty."));
        return;
    }
    if (QFileInfo(path).isDir()) {
        emit context_->errorRaised(tr("%1 is a folder; choose a database file.").arg(path));
        return;
    }
    AppSettings::set_db_path(path);
    context_->set_db_path(path);
    emit context_->statusMessage(tr("Using database %1").arg(path));
}

}  // namespace tbui
