#include "ui/pages/model_source_box.h"

#include <QButtonGroup>
#include <QComboBox>
#include <QFileDialog>
#include <QFileInfo>
#include <QFormLayout>
#include <QGridLayout>
#include <QLineEdit>
#include <QPushButton>
#include <QRadioButton>

#include "engine/demo/demo_model.h"
#include "ui/app/app_settings.h"

namespace tbui {

namespace {

QComboBox* combo(const std::vector<std::string>& items) {
    auto* c = new QComboBox;
    for (const auto& item : items) c->addItem(QString::fromStdString(item));
    return c;
}

}  // namespace

ModelSourceBox::ModelSourceBox(QWidget* parent) : QGroupBox(tr("Model"), parent) {
    auto* grid = new QGridLayout(this);
    demo_radio_ = new QRadioButton(tr("Built-in demo model"));
    file_radio_ = new QRadioButton(tr("GGUF file"));
    auto* group = new QButtonGroup(this);
    group->addButton(demo_radio_);
    group->addButton(file_radio_);
    demo_radio_->setChecked(true);
    preset_ = combo(tern::demo_presets());
    preset_->setCurrentText(QString::fromStdString(bench::BenchmarkSpec{}.demo_preset));
    preset_->setToolTip(tr("Shape preset: tiny (tests), small (~100M), 700m, 1b3, 2b. Generated deterministically "
                           "into the cache on first use."));
    demo_type_ = combo(tern::demo_types());
    demo_type_->setObjectName("demoTypeCombo");
    demo_type_->setToolTip(tr("f16: the same ternary values as floats (a KL base for the ternary types of the "
                              "same seed)"));
    demo_arch_ = combo(tern::demo_archs());
    demo_arch_->setObjectName("demoArchCombo");
    model_path_ = new QLineEdit;
    model_path_->setPlaceholderText(tr("path/to/model.gguf"));
    auto* browse_button = new QPushButton(tr("Browse…"));
    recent_ = new QComboBox;
    recent_->setPlaceholderText(tr("Recent models"));
    // Long model paths must not widen the form (a 1024 px screen); the list still shows them whole.
    recent_->setSizeAdjustPolicy(QComboBox::AdjustToMinimumContentsLengthWithIcon);
    recent_->setMinimumContentsLength(16);
    grid->addWidget(demo_radio_, 0, 0, 1, 3);
    // One choice a row, as the other sections: the three side by side made the form too wide.
    auto* demo_rows = new QFormLayout;
    demo_rows->addRow(tr("Preset"), preset_);
    demo_rows->addRow(tr("Type"), demo_type_);
    demo_rows->addRow(tr("Arch"), demo_arch_);
    grid->addLayout(demo_rows, 1, 0, 1, 3);
    grid->addWidget(file_radio_, 2, 0, 1, 3);
    grid->addWidget(model_path_, 3, 0, 1, 2);
    grid->addWidget(browse_button, 3, 2);
    grid->addWidget(recent_, 4, 0, 1, 3);
    connect(browse_button, &QPushButton::clicked, this, &ModelSourceBox::browse);
    connect(recent_, &QComboBox::activated, this, [this](int index) {
        if (index >= 0) set_model_file(recent_->itemText(index));
    });
    // Typing a path means the file is the model.
    connect(model_path_, &QLineEdit::textEdited, this, [this] { file_radio_->setChecked(true); });
    connect(model_path_, &QLineEdit::textChanged, this, &ModelSourceBox::changed);
    connect(demo_radio_, &QRadioButton::toggled, this, &ModelSourceBox::changed);
}

void ModelSourceBox::apply(bench::BenchmarkSpec& spec) const {
    if (file_radio_->isChecked()) {
        spec.model_path = model_path_->text().trimmed().toStdString();
    } else {
        spec.demo_preset = preset_->currentText().toStdString();
        spec.demo_type = demo_type_->currentText().toStdString();
        spec.demo_arch = demo_arch_->currentText().toStdString();
    }
}

QStringList ModelSourceBox::problems() const {
    if (!file_radio_->isChecked()) return {};
    const QString path = model_path_->text().trimmed();
    if (path.isEmpty()) return {tr("Choose a GGUF model file, or use the built-in demo model.")};
    if (!QFileInfo(path).isFile()) return {tr("Model file not found: %1").arg(path)};
    return {};
}

bool ModelSourceBox::file_chosen() const { return file_radio_->isChecked(); }
QString ModelSourceBox::file_path() const { return model_path_->text(); }

void ModelSourceBox::set_demo_model(const QString& preset, const QString& type, const QString& arch) {
    demo_radio_->setChecked(true);
    preset_->setCurrentText(preset);
    demo_type_->setCurrentText(type);
    demo_arch_->setCurrentText(arch);
    emit changed();   // the combo boxes do not signal on their own
}

void ModelSourceBox::set_demo_preset(const QString& preset) {
    set_demo_model(preset, demo_type_->currentText(), demo_arch_->currentText());
}

void ModelSourceBox::set_model_file(const QString& path) {
    model_path_->setText(path);
    file_radio_->setChecked(true);
    emit changed();   // also when nothing changed: the file may have appeared since
}

void ModelSourceBox::refresh_recent() {
    recent_->clear();
    for (const QString& path : AppSettings::recent_models()) {
        recent_->addItem(path);
        recent_->setItemData(recent_->count() - 1, path, Qt::ToolTipRole);   // when the box cuts it
    }
    recent_->setCurrentIndex(-1);   // the placeholder, not a file the user did not pick
}

void ModelSourceBox::remember_file() {
    if (!file_radio_->isChecked()) return;
    AppSettings::add_recent_model(model_path_->text().trimmed());
    refresh_recent();
}

void ModelSourceBox::browse() {
    const QString path = QFileDialog::getOpenFileName(this, tr("Choose a GGUF model"), QFileInfo(model_path_->text()).path(),
                                                      tr("GGUF models (*.gguf);;All files (*)"));
    if (!path.isEmpty()) set_model_file(path);
}

}  // namespace tbui
