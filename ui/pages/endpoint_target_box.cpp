#include "ui/pages/endpoint_target_box.h"

#include <QCheckBox>
#include <QComboBox>
#include <QFormLayout>
#include <QHBoxLayout>
#include <QLineEdit>

namespace tbui {

EndpointTargetBox::EndpointTargetBox(QWidget* parent) : QGroupBox(tr("Target"), parent) {
    setObjectName("endpointTargetBox");
    auto* rows = new QFormLayout(this);
    endpoint_ = new QLineEdit;
    endpoint_->setObjectName("endpointEdit");
    endpoint_->setPlaceholderText(tr("in-process engine; or http://HOST:PORT"));
    endpoint_->setToolTip(tr("single, stream, batch, server and scaling can run against a llama-server-compatible "
                             "server; an API key is read from $TERNBENCH_API_KEY only"));
    api_ = new QComboBox;
    api_->addItems({"auto", "completion", "v1"});
    api_->setToolTip(tr("auto: /completion when the server answers /props, else /v1/completions"));
    ignore_eos_ = new QCheckBox(tr("Ignore EOS"));
    forbid_bytes_ = new QCheckBox(tr("Forbid byte tokens"));
    forbid_bytes_->setToolTip(tr("Never sample the vocabulary's byte tokens: the engine's sampler in-process, logit_bias "
                                 "over HTTP (demo models on llama-server need it; check it on both sides)"));
    // Label / field rows as the form's other sections; one row of all four was too wide for a
    // 1024 px screen.
    rows->addRow(tr("Endpoint"), endpoint_);
    rows->addRow(tr("API"), api_);
    auto* options = new QHBoxLayout;
    options->addWidget(ignore_eos_);
    options->addWidget(forbid_bytes_);
    options->addStretch();
    rows->addRow(QString(), options);
    connect(endpoint_, &QLineEdit::textChanged, this, [this] {
        const bool remote = !endpoint_->text().trimmed().isEmpty();
        api_->setEnabled(remote);
        emit changed();
    });
    connect(api_, &QComboBox::currentTextChanged, this, &EndpointTargetBox::changed);
    connect(ignore_eos_, &QCheckBox::toggled, this, &EndpointTargetBox::changed);
    connect(forbid_bytes_, &QCheckBox::toggled, this, &EndpointTargetBox::changed);
    api_->setEnabled(false);
}

void EndpointTargetBox::apply(bench::BenchmarkSpec& spec) const {
    spec.endpoint = endpoint_->text().trimmed().toStdString();
    spec.api = api_->currentText().toStdString();
    spec.ignore_eos = ignore_eos_->isChecked();
    spec.forbid_byte_tokens = forbid_bytes_->isChecked();
}

void EndpointTargetBox::set_from(const bench::BenchmarkSpec& spec) {
    endpoint_->setText(QString::fromStdString(spec.endpoint));
    api_->setCurrentText(QString::fromStdString(spec.api));
    ignore_eos_->setChecked(spec.ignore_eos);
    forbid_bytes_->setChecked(spec.forbid_byte_tokens);
}

void EndpointTargetBox::set_endpoint(const QString& url) { endpoint_->setText(url); }

}  // namespace tbui
